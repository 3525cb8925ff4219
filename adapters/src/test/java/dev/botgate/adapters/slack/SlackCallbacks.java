package dev.botgate.adapters.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.SignedCallback;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds Slack Events API requests signed with a signing secret (v0), as Slack sends them. Public for the gateway's
 * end-to-end tests.
 */
public final class SlackCallbacks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String signingSecret;

    /** For an app with this signing secret. */
    public SlackCallbacks(String signingSecret) {
        this.signingSecret = signingSecret;
    }

    /** Signs any raw body at time {@code at}. */
    public SignedCallback sign(String body, Instant at) {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(at.getEpochSecond());
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("X-Slack-Request-Timestamp", ts);
        h.put("X-Slack-Signature", SlackSignature.sign(signingSecret, ts, raw));
        return new SignedCallback("POST", Map.of(), h, raw);
    }

    /** The {@code url_verification} Slack sends when the Request URL is saved. */
    public SignedCallback urlVerification(String challenge, Instant at) {
        return sign("{\"token\":\"Jhj5dZrVaK7ZwHHjRyZWjbDl\",\"challenge\":\"" + challenge
                + "\",\"type\":\"url_verification\"}", at);
    }

    /** An {@code app_mention} in a channel (top level when {@code threadTs} is empty). */
    public SignedCallback appMention(String eventId, String channel, String user, String text, String ts,
                                     String threadTs, Instant at) {
        ObjectNode e = JSON.createObjectNode().put("type", "app_mention").put("user", user).put("text", text)
                .put("ts", ts).put("channel", channel).put("event_ts", ts);
        if (!threadTs.isEmpty()) {
            e.put("thread_ts", threadTs);
        }
        return event(eventId, e, at);
    }

    /** A {@code message} in a DM with the bot. */
    public SignedCallback directMessage(String eventId, String channel, String user, String text, String ts,
                                        Instant at) {
        ObjectNode e = JSON.createObjectNode().put("type", "message").put("channel_type", "im").put("user", user)
                .put("text", text).put("ts", ts).put("channel", channel).put("event_ts", ts)
                .put("client_msg_id", "c-" + eventId);
        return event(eventId, e, at);
    }

    /** Any event wrapped in an {@code event_callback} envelope. */
    public SignedCallback event(String eventId, ObjectNode event, Instant at) {
        ObjectNode env = JSON.createObjectNode().put("token", "Jhj5dZrVaK7ZwHHjRyZWjbDl").put("team_id", "T0TEAM")
                .put("api_app_id", "A0APP").put("type", "event_callback").put("event_id", eventId)
                .put("event_time", at.getEpochSecond());
        env.set("event", event);
        return sign(env.toString(), at);
    }

    /** The same delivery marked as Slack's n-th retry. */
    public static SignedCallback retry(SignedCallback c, int n) {
        return c.withHeader("X-Slack-Retry-Num", Integer.toString(n)).withHeader("X-Slack-Retry-Reason",
                "http_timeout");
    }
}

package dev.botgate.adapters.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.FakeApiServer.Recorded;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Feishu Open API as far as Botgate uses it: {@code auth/v3/tenant_access_token/internal},
 * {@code bot/v3/info}, {@code im/v1/messages/{id}/reply} and {@code PATCH im/v1/messages/{id}}; bearer tokens are
 * checked (HTTP 400 with code 99991663 for expired or unknown ones, as Feishu answers).
 */
public final class FakeFeishuApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A message the fake accepted.
     *
     * @param replyTo   the message replied to (for replies) or the patched message (for PATCH)
     * @param msgType   msg_type ({@code text}, {@code interactive}); "patch" for updates
     * @param content   the parsed content JSON
     * @param messageId the id of the new or patched message
     * @param uuid      the request's idempotency uuid ("" for PATCH)
     */
    public record Sent(String replyTo, String msgType, JsonNode content, String messageId, String uuid) {
        /** The text of a text message. */
        public String text() {
            return content.path("text").asText();
        }
    }

    private final String appId;
    private final String appSecret;
    private final String botOpenId;
    private final FakeApiServer server;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = new HashSet<>();
    private final List<Sent> sent = new ArrayList<>();
    private int seq;

    private FakeFeishuApi(String appId, String appSecret, String botOpenId) {
        this.appId = appId;
        this.appSecret = appSecret;
        this.botOpenId = botOpenId;
        this.server = FakeApiServer.start(this::answer);
    }

    /** Starts a fake for this app whose bot has {@code botOpenId}. */
    public static FakeFeishuApi start(String appId, String appSecret, String botOpenId) {
        return new FakeFeishuApi(appId, appSecret, botOpenId);
    }

    /** The {@code api-base} to configure. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The underlying server. */
    public FakeApiServer server() {
        return server;
    }

    /** Tokens issued. */
    public int tokensIssued() {
        return issued.get();
    }

    /** Every issued token becomes invalid (99991663). */
    public synchronized void expireTokens() {
        valid.clear();
    }

    /** Accepted replies and patches, in order. */
    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    private synchronized Canned answer(Recorded r) {
        if (r.path().equals("/open-apis/auth/v3/tenant_access_token/internal")) {
            JsonNode b = r.json();
            if (!appId.equals(b.path("app_id").asText()) || !appSecret.equals(b.path("app_secret").asText())) {
                return Canned.json(200, "{\"code\":10014,\"msg\":\"app secret invalid\"}");
            }
            String t = "t-feishu-" + issued.incrementAndGet();
            valid.add(t);
            return Canned.json(200, "{\"code\":0,\"msg\":\"ok\",\"tenant_access_token\":\"" + t
                    + "\",\"expire\":7200}");
        }
        String auth = r.headers().getOrDefault("Authorization", "");
        if (!auth.startsWith("Bearer ") || !valid.contains(auth.substring(7))) {
            return Canned.json(400, "{\"code\":99991663,\"msg\":\"Invalid access token for authorization. "
                    + "Please make a request with token attached.\"}");
        }
        if (r.path().equals("/open-apis/bot/v3/info")) {
            return Canned.json(200, "{\"code\":0,\"msg\":\"ok\",\"bot\":{\"activate_status\":2,\"app_name\":"
                    + "\"Botgate\",\"open_id\":\"" + botOpenId + "\"}}");
        }
        if (r.path().startsWith("/open-apis/im/v1/messages/") && r.path().endsWith("/reply")
                && r.method().equals("POST")) {
            String target = r.path().substring("/open-apis/im/v1/messages/".length(), r.path().length() - 6);
            JsonNode b = r.json();
            String id = "om_reply_" + (++seq);
            sent.add(new Sent(target, b.path("msg_type").asText(), parse(b.path("content").asText()), id,
                    b.path("uuid").asText()));
            return Canned.json(200, "{\"code\":0,\"msg\":\"success\",\"data\":{\"message_id\":\"" + id
                    + "\",\"chat_id\":\"oc_1\",\"msg_type\":\"" + b.path("msg_type").asText() + "\"}}");
        }
        if (r.path().startsWith("/open-apis/im/v1/messages/") && r.method().equals("PATCH")) {
            String target = r.path().substring("/open-apis/im/v1/messages/".length());
            sent.add(new Sent(target, "patch", parse(r.json().path("content").asText()), target, ""));
            return Canned.json(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
        }
        return Canned.json(404, "{\"code\":404,\"msg\":\"not found\"}");
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

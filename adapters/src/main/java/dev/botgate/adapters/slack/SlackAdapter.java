package dev.botgate.adapters.slack;

import static dev.botgate.adapters.CallbackResult.Reply.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.CallbackRequest;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.ChannelHealth;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.delivery.ApiClient;
import dev.botgate.adapters.delivery.ApiRequest;
import dev.botgate.adapters.delivery.ApiResponse;
import dev.botgate.adapters.delivery.HealthRecord;
import dev.botgate.adapters.delivery.IdentityLookup;
import dev.botgate.adapters.delivery.TextSplitter;
import dev.botgate.adapters.delivery.ThrottledReplyStream;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Slack app bot on the Events API.
 *
 * <ul>
 *   <li>Every request: {@code X-Slack-Signature} checked in constant time over the raw body; a
 *   {@code X-Slack-Request-Timestamp} more than the window (5 min) away from now, either way, is refused with 403.</li>
 *   <li>{@code url_verification} answered with the challenge.</li>
 *   <li>{@code app_mention} (channels) and {@code message} with {@code channel_type: im} (DMs) become messages; the
 *   bot's own and other bots' messages, edits and deletions are ignored; {@code X-Slack-Retry-Num} sets
 *   {@link InboundMessage#retry()}; the dedupe key is {@code event_id}. Acknowledged with 200.</li>
 *   <li>Answers in the thread with {@code chat.postMessage}; streamed answers edit it with {@code chat.update} at most
 *   once a second. Markdown becomes mrkdwn; parts stay under 3,900 characters.</li>
 * </ul>
 */
public final class SlackAdapter implements ChannelAdapter {
    static final int MAX_TEXT_CHARS = 3900;
    static final Duration STREAM_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(SlackAdapter.class.getName());
    private static final Set<String> AUTH_ERRORS = Set.of("invalid_auth", "not_authed", "account_inactive",
            "token_revoked", "token_expired", "no_permission", "missing_scope", "not_allowed_token_type");
    private static final Set<String> TRANSIENT_ERRORS = Set.of("internal_error", "fatal_error", "request_timeout",
            "service_unavailable", "ratelimited");

    private final String botId;
    private final SlackConfig config;
    private final AdapterOptions options;
    private final ApiClient api;
    private final HealthRecord health;
    private final Optional<IdentityLookup> identity;

    /**
     * @param botId   the bot's id
     * @param config  its Slack settings
     * @param options clock, retries, timeouts, signature window
     */
    public SlackAdapter(String botId, SlackConfig config, AdapterOptions options) {
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.api = new ApiClient("Slack", config.apiBase(), options);
        this.health = new HealthRecord(options.clock());
        this.identity = config.botUserId().isPresent() ? Optional.empty()
                : Optional.of(new IdentityLookup(this::authTest, options.clock(), Duration.ofMinutes(1)).start());
    }

    @Override
    public Channel channel() {
        return Channel.SLACK;
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public CallbackResult handle(CallbackRequest request) {
        if (!request.method().equals("POST")) {
            return refuse(405, "method not allowed: Slack posts events");
        }
        Optional<String> ts = request.header("X-Slack-Request-Timestamp");
        Optional<String> sig = request.header("X-Slack-Signature");
        if (ts.isEmpty() || sig.isEmpty()) {
            return refuse(401, "missing X-Slack-Request-Timestamp or X-Slack-Signature");
        }
        long seconds;
        try {
            seconds = Long.parseLong(ts.get().strip());
        } catch (NumberFormatException e) {
            return refuse(401, "X-Slack-Request-Timestamp is not a number");
        }
        if (!options.withinSignatureWindow(seconds)) {
            return refuse(403, "request timestamp outside the " + options.signatureWindow().toMinutes()
                    + " minute window (replayed, or this server's clock is off)");
        }
        byte[] body = request.body();
        if (!SlackSignature.verify(config.signingSecret(), ts.get().strip(), body, sig.get().strip())) {
            return refuse(401, "bad signature: check slack.signing-secret");
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (IOException e) {
            return refuse(400, "body is not JSON");
        }
        if (payload == null || !payload.isObject()) {
            return refuse(400, "body is not a JSON object");
        }
        String type = payload.path("type").asText();
        if (type.equals("url_verification")) {
            String challenge = payload.path("challenge").asText();
            return new CallbackResult.Reply(HttpReply.json(200, ApiClient.toJson(Map.of("challenge", challenge))),
                    "url verification");
        }
        if (!type.equals("event_callback")) {
            return ignore("payload type " + CallbackResult.Reply.clip(type));
        }
        String eventId = payload.path("event_id").asText();
        if (eventId.isEmpty()) {
            return refuse(400, "event_callback without event_id");
        }
        return event(payload.path("event"), eventId, request.header("X-Slack-Retry-Num").isPresent());
    }

    private CallbackResult event(JsonNode e, String eventId, boolean retry) {
        String type = e.path("type").asText();
        String subtype = e.path("subtype").asText();
        String user = e.path("user").asText();
        if (!e.path("bot_id").asText().isEmpty() || subtype.equals("bot_message")) {
            return ignore("bot message");
        }
        if (!subtype.isEmpty() && !subtype.equals("file_share") && !subtype.equals("thread_broadcast")) {
            return ignore("message subtype " + CallbackResult.Reply.clip(subtype));
        }
        if (user.isEmpty()) {
            return ignore("no user");
        }
        Optional<String> self = botUserId();
        if (self.isPresent() && self.get().equals(user)) {
            return ignore("own message");
        }
        String channel = e.path("channel").asText();
        String messageTs = e.path("ts").asText();
        String threadTs = e.path("thread_ts").asText();
        if (channel.isEmpty() || messageTs.isEmpty()) {
            return refuse(400, "event without channel or ts");
        }
        String conversation;
        ReplyTo replyTo;
        if (type.equals("app_mention")) {
            conversation = channel + ":" + user;
            replyTo = new ReplyTo.SlackThread(channel, threadTs.isEmpty() ? messageTs : threadTs);
        } else if (type.equals("message") && e.path("channel_type").asText().equals("im")) {
            conversation = channel;
            replyTo = new ReplyTo.SlackThread(channel, threadTs);
        } else {
            // Channel messages arrive as app_mention too; answering both would answer twice.
            return ignore("event " + CallbackResult.Reply.clip(type) + " " + CallbackResult.Reply.clip(e.path("channel_type").asText()));
        }
        String text = stripMentions(e.path("text").asText(), self).strip();
        MessageKind kind = text.isEmpty() && subtype.equals("file_share") ? MessageKind.UNSUPPORTED
                : MessageKind.TEXT;
        InboundMessage m = new InboundMessage(Channel.SLACK, botId, conversation, user, unescape(text), eventId, kind,
                replyTo, retry);
        return new CallbackResult.Inbound(m, new Ack.Now(HttpReply.text(200, "")));
    }

    private static String stripMentions(String text, Optional<String> self) {
        if (self.isPresent()) {
            return text.replace("<@" + self.get() + ">", "").replaceAll("\\s{2,}", " ");
        }
        return text.replaceFirst("^\\s*<@[UW][A-Z0-9]+>", "");
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /**
     * The bot's user id: from config, else from {@code auth.test}, asked in the background when the adapter is built.
     * A callback waits for it at most 1 s; until it is known, own messages are still recognised by their
     * {@code bot_id}.
     */
    Optional<String> botUserId() {
        return config.botUserId().or(() -> identity.flatMap(i -> i.get(Duration.ofSeconds(1))));
    }

    private Optional<String> authTest() {
        try {
            ApiResponse r = api.call(ApiRequest.post("/auth.test", "{}").header("Authorization", bearer()));
            if (r.json().path("ok").asBoolean(false) && !r.text("user_id").isEmpty()) {
                return Optional.of(r.text("user_id"));
            }
            failure("auth.test", r);
        } catch (SendException e) {
            LOG.log(System.Logger.Level.WARNING, "bot " + botId + ": cannot learn the bot user id: "
                    + e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        ReplyTo.SlackThread thread = thread(replyTo);
        for (String part : TextSplitter.chars(render(text), MAX_TEXT_CHARS)) {
            post(thread, part);
        }
    }

    private static ReplyTo.SlackThread thread(InboundMessage m) {
        if (!(m.replyTo() instanceof ReplyTo.SlackThread t)) {
            throw SendException.permanent("not a Slack message: " + m.replyTo().getClass().getSimpleName());
        }
        return t;
    }

    static String render(OutboundText text) {
        String body = Mrkdwn.convert(text.markdown());
        if (text.sources().isEmpty()) {
            return body;
        }
        return body + "\n\n_" + Mrkdwn.escape(text.sourcesLabel()) + ": "
                + Mrkdwn.escape(String.join("; ", text.sources())) + "_";
    }

    private String post(ReplyTo.SlackThread thread, String mrkdwn) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("channel", thread.channel());
        body.put("text", mrkdwn);
        if (!thread.threadTs().isEmpty()) {
            body.put("thread_ts", thread.threadTs());
        }
        body.put("unfurl_links", false);
        ApiResponse r = call("/chat.postMessage", body);
        return r.text("ts");
    }

    private void update(ReplyTo.SlackThread thread, String ts, String mrkdwn) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("channel", thread.channel());
        body.put("ts", ts);
        body.put("text", mrkdwn);
        call("/chat.update", body);
    }

    private ApiResponse call(String method, Map<String, Object> body) {
        ApiResponse r = api.call(ApiRequest.post(method, ApiClient.toJson(body)).header("Authorization", bearer()));
        if (!r.json().path("ok").asBoolean(false)) {
            throw failure(method.substring(1), r);
        }
        health.succeeded();
        return r;
    }

    private SendException failure(String method, ApiResponse r) {
        String error = r.text("error").isEmpty() ? "HTTP " + r.status() : r.text("error");
        if (AUTH_ERRORS.contains(error)) {
            String msg = "Slack " + method + " refused the bot token (" + error + "): check slack.bot-token and the "
                    + "app's scopes (chat:write, app_mentions:read, im:history)";
            health.failed(msg, true);
            return SendException.permanent(msg);
        }
        if (TRANSIENT_ERRORS.contains(error) || r.status() >= 500) {
            return SendException.transientFailure("Slack " + method + " failed: " + error);
        }
        String msg = "Slack " + method + " failed: " + error;
        health.failed(msg, false);
        return SendException.permanent(msg);
    }

    private String bearer() {
        return "Bearer " + config.botToken();
    }

    @Override
    public ReplyStream open(InboundMessage replyTo) {
        ReplyTo.SlackThread thread = thread(replyTo);
        return new ThrottledReplyStream(new ThrottledReplyStream.Target() {
            @Override
            public String post(String textSoFar) {
                return SlackAdapter.this.post(thread, clipText(Mrkdwn.convert(textSoFar)));
            }

            @Override
            public void edit(String ts, String textSoFar) {
                update(thread, ts, clipText(Mrkdwn.convert(textSoFar)));
            }

            @Override
            public void finish(String ts, OutboundText text) {
                List<String> parts = TextSplitter.chars(render(text), MAX_TEXT_CHARS);
                update(thread, ts, parts.isEmpty() ? " " : parts.get(0));
                ReplyTo.SlackThread rest = thread.threadTs().isEmpty()
                        ? new ReplyTo.SlackThread(thread.channel(), ts) : thread;
                for (String part : parts.subList(Math.min(1, parts.size()), parts.size())) {
                    SlackAdapter.this.post(rest, part);
                }
            }

            @Override
            public void sendWhole(OutboundText text) {
                send(replyTo, text);
            }
        }, STREAM_INTERVAL, options.clock(), options.sleeper());
    }

    private static String clipText(String s) {
        return s.length() <= MAX_TEXT_CHARS ? s : s.substring(0, MAX_TEXT_CHARS - 1) + "…";
    }

    private static CallbackResult ignore(String why) {
        return new CallbackResult.Reply(HttpReply.text(200, ""), "ignored: " + why);
    }

    @Override
    public ChannelHealth health() {
        return health.snapshot();
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "SlackAdapter[" + botId + "]";
    }
}

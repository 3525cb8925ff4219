package dev.botgate.adapters.feishu;

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
import dev.botgate.adapters.delivery.AccessToken;
import dev.botgate.adapters.delivery.AccessTokenCache;
import dev.botgate.adapters.delivery.ApiClient;
import dev.botgate.adapters.delivery.ApiRequest;
import dev.botgate.adapters.delivery.ApiResponse;
import dev.botgate.adapters.delivery.HealthRecord;
import dev.botgate.adapters.delivery.IdentityLookup;
import dev.botgate.adapters.delivery.MarkdownText;
import dev.botgate.adapters.delivery.TextSplitter;
import dev.botgate.adapters.delivery.ThrottledReplyStream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Feishu / Lark app bot on event subscription 2.0.
 *
 * <ul>
 *   <li>With an Encrypt Key: {@code X-Lark-Signature} = SHA-256(timestamp + nonce + key + raw body) checked in
 *   constant time, then the {@code encrypt} payload decrypted. Only the {@code url_verification} challenge may come
 *   unsigned. Always: the Verification Token in the event is checked. The request timestamp is not windowed:
 *   Feishu's retries come for hours, and replays are caught by the {@code event_id} dedupe and the age limit.</li>
 *   <li>{@code im.message.receive_v1}: text and post messages flattened, {@code @_user_N} resolved through
 *   {@code mentions}; p2p always answered, groups only when the bot is mentioned (configurable); other types →
 *   {@link MessageKind#UNSUPPORTED}; messages from apps ignored; messages older than Feishu's retry window (7.5 h)
 *   dropped. Dedupe key {@code event_id}. Acknowledged with 200 {@code {}}.</li>
 *   <li>Answers with {@code im/v1/messages/{message_id}/reply} (text, idempotent {@code uuid}); streamed answers as an
 *   interactive card updated with {@code PATCH im/v1/messages/{id}} at most twice a second. Token from
 *   {@code auth/v3/tenant_access_token/internal}, refreshed on 9999166x errors.</li>
 * </ul>
 */
public final class FeishuAdapter implements ChannelAdapter {
    /** Retries come at 15 s, 5 min, 1 h and 6 h; a message older than this cannot be a fresh delivery. */
    static final Duration MAX_MESSAGE_AGE = Duration.ofMinutes(450);
    static final Duration STREAM_INTERVAL = Duration.ofMillis(500);
    /** Text requests may be 150 KB; cards 30 KB. Parts stay well inside. */
    static final int MAX_TEXT_BYTES = 20_000;
    static final int MAX_CARD_TEXT_BYTES = 25_000;
    static final Set<Long> TOKEN_INVALID = Set.of(99991661L, 99991663L, 99991664L, 99991665L, 99991668L,
            99991677L);
    static final Set<Long> RATE_LIMITED = Set.of(99991400L, 230020L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(FeishuAdapter.class.getName());

    private final String botId;
    private final FeishuConfig config;
    private final AdapterOptions options;
    private final ApiClient api;
    private final AccessTokenCache tokens;
    private final HealthRecord health;
    private final IdentityLookup identity;

    /**
     * @param botId   the bot's id
     * @param config  its Feishu settings
     * @param options clock, retries, timeouts
     */
    public FeishuAdapter(String botId, FeishuConfig config, AdapterOptions options) {
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.api = new ApiClient("Feishu", config.apiBase(), options);
        this.health = new HealthRecord(options.clock());
        this.tokens = new AccessTokenCache(options.clock(), Duration.ofMinutes(3), this::fetchToken);
        this.identity = new IdentityLookup(this::botInfo, options.clock(), Duration.ofMinutes(1)).start();
    }

    @Override
    public Channel channel() {
        return Channel.FEISHU;
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public CallbackResult handle(CallbackRequest request) {
        if (!request.method().equals("POST")) {
            return refuse(405, "method not allowed: Feishu posts events");
        }
        byte[] raw = request.body();
        JsonNode outer = readJson(raw);
        if (outer == null) {
            return refuse(400, "body is not a JSON object");
        }
        boolean signed = false;
        if (config.encryptKey().isPresent()) {
            Optional<String> ts = request.header("X-Lark-Request-Timestamp");
            Optional<String> nonce = request.header("X-Lark-Request-Nonce");
            Optional<String> sig = request.header("X-Lark-Signature");
            if (ts.isPresent() && nonce.isPresent() && sig.isPresent()) {
                String expected = FeishuCrypto.signature(ts.get(), nonce.get(), config.encryptKey().get(), raw);
                if (!FeishuCrypto.sameText(expected, sig.get().strip().toLowerCase(java.util.Locale.ROOT))) {
                    return refuse(401, "bad X-Lark-Signature: check feishu.encrypt-key");
                }
                signed = true;
            }
        }
        JsonNode event = outer;
        if (outer.has("encrypt")) {
            if (config.encryptKey().isEmpty()) {
                return refuse(400, "encrypted event but feishu.encrypt-key is not set");
            }
            try {
                event = readJson(FeishuCrypto.decrypt(config.encryptKey().get(), outer.path("encrypt").asText())
                        .getBytes(StandardCharsets.UTF_8));
            } catch (FeishuCrypto.BadPayload e) {
                return refuse(400, "cannot decrypt: " + e.getMessage() + "; check feishu.encrypt-key");
            }
            if (event == null) {
                return refuse(400, "decrypted event is not a JSON object");
            }
        }
        String token = event.has("header") ? event.path("header").path("token").asText()
                : event.path("token").asText();
        if (!FeishuCrypto.sameText(token, config.verificationToken())) {
            return refuse(401, "bad verification token: check feishu.verification-token");
        }
        if (event.path("type").asText().equals("url_verification")) {
            return new CallbackResult.Reply(HttpReply.json(200, ApiClient.toJson(Map.of("challenge",
                    event.path("challenge").asText()))), "url verification");
        }
        if (config.encryptKey().isPresent() && !signed) {
            return refuse(401, "missing X-Lark-Signature headers");
        }
        if (!event.path("schema").asText().equals("2.0")) {
            return ignore("not an event 2.0 payload");
        }
        JsonNode header = event.path("header");
        String eventId = header.path("event_id").asText();
        if (eventId.isEmpty()) {
            return refuse(400, "event without header.event_id");
        }
        String type = header.path("event_type").asText();
        if (!type.equals("im.message.receive_v1")) {
            return ignore("event " + CallbackResult.Reply.clip(type));
        }
        return message(event.path("event"), eventId);
    }

    private CallbackResult message(JsonNode e, String eventId) {
        JsonNode sender = e.path("sender");
        JsonNode msg = e.path("message");
        if (!sender.path("sender_type").asText("user").equals("user")) {
            return ignore("message from " + CallbackResult.Reply.clip(sender.path("sender_type").asText()));
        }
        String senderId = sender.path("sender_id").path("open_id").asText();
        String messageId = msg.path("message_id").asText();
        String chatId = msg.path("chat_id").asText();
        if (senderId.isEmpty() || messageId.isEmpty() || chatId.isEmpty()) {
            return refuse(400, "message without sender open_id, message_id or chat_id");
        }
        long created = msg.path("create_time").asLong(0);
        if (created > 0) {
            Duration age = Duration.between(Instant.ofEpochMilli(created), options.clock().instant());
            if (age.compareTo(MAX_MESSAGE_AGE) > 0) {
                LOG.log(System.Logger.Level.INFO, "bot " + botId + ": dropped Feishu message " + messageId
                        + " created " + age.toMinutes() + " min ago, beyond the retry window");
                return ignore("message older than the retry window");
            }
        }
        boolean group = !msg.path("chat_type").asText().equals("p2p");
        JsonNode mentions = msg.path("mentions");
        Optional<String> self = group || mentions.size() > 0 ? botOpenId() : Optional.empty();
        if (group && config.answerInGroupsOnlyWhenMentioned() && !mentioned(mentions, self)) {
            return ignore("group message without a mention of the bot");
        }
        Optional<String> text = FeishuText.flatten(msg.path("message_type").asText(), msg.path("content").asText());
        String resolved = text.map(t -> FeishuText.resolveMentions(t, mentions, self)).orElse("");
        MessageKind kind = text.isPresent() && !resolved.isEmpty() ? MessageKind.TEXT : MessageKind.UNSUPPORTED;
        String conversation = group ? chatId + ":" + senderId : chatId;
        InboundMessage m = new InboundMessage(Channel.FEISHU, botId, conversation, senderId,
                kind == MessageKind.TEXT ? resolved : "", eventId, kind, new ReplyTo.FeishuMessage(messageId, chatId),
                false);
        return new CallbackResult.Inbound(m, new Ack.Now(HttpReply.json(200, "{}")));
    }

    private static boolean mentioned(JsonNode mentions, Optional<String> self) {
        if (self.isEmpty()) {
            // Without the bot's open_id, trust Feishu: bots only receive group messages that mention them unless
            // given the "all group messages" permission.
            return mentions.size() > 0;
        }
        for (JsonNode m : mentions) {
            if (self.get().equals(m.path("id").path("open_id").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bot's open_id from {@code bot/v3/info}, asked in the background when the adapter is built; a callback waits
     * for it at most 1 s (Feishu wants an answer within 3 s).
     */
    Optional<String> botOpenId() {
        return identity.get(Duration.ofSeconds(1));
    }

    private Optional<String> botInfo() {
        try {
            ApiResponse r = authorized(ApiRequest.get("/open-apis/bot/v3/info"), "bot/v3/info");
            String id = r.json().path("bot").path("open_id").asText();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (SendException e) {
            LOG.log(System.Logger.Level.WARNING, "bot " + botId + ": cannot learn the bot's open_id: "
                    + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        ReplyTo.FeishuMessage to = target(replyTo);
        List<String> parts = TextSplitter.utf8Bytes(MarkdownText.toPlain(text.withSourcesLine()), MAX_TEXT_BYTES);
        for (int i = 0; i < parts.size(); i++) {
            reply(to, "text", ApiClient.toJson(Map.of("text", parts.get(i))), i, parts.get(i));
        }
    }

    private static ReplyTo.FeishuMessage target(InboundMessage m) {
        if (!(m.replyTo() instanceof ReplyTo.FeishuMessage f)) {
            throw SendException.permanent("not a Feishu message: " + m.replyTo().getClass().getSimpleName());
        }
        return f;
    }

    /** Replies to the user's message; returns the new message's id. */
    private String reply(ReplyTo.FeishuMessage to, String msgType, String content, int part, String idempotencyText) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("msg_type", msgType);
        body.put("content", content);
        // Feishu runs a repeated uuid at most once per hour: a retried send of the same part is not shown twice.
        body.put("uuid", uuid(to.messageId() + "|" + msgType + "|" + part + "|" + idempotencyText));
        ApiResponse r = authorized(ApiRequest.post("/open-apis/im/v1/messages/" + to.messageId() + "/reply",
                ApiClient.toJson(body)), "im/v1/messages/reply");
        return r.json().path("data").path("message_id").asText();
    }

    private void patchCard(String messageId, String card) {
        authorized(ApiRequest.patch("/open-apis/im/v1/messages/" + messageId,
                ApiClient.toJson(Map.of("content", card))), "im/v1/messages patch");
    }

    private ApiResponse authorized(ApiRequest request, String call) {
        for (int tokenTry = 1; ; tokenTry++) {
            String token = tokens.get();
            ApiResponse r = api.call(request.header("Authorization", "Bearer " + token),
                    res -> RATE_LIMITED.contains(res.number("code", 0)));
            long code = r.number("code", r.status() == 200 ? 0 : -2);
            if (code == 0) {
                health.succeeded();
                return r;
            }
            if (TOKEN_INVALID.contains(code) && tokenTry == 1) {
                tokens.invalidate(token);
                continue;
            }
            throw failure(call, code, r);
        }
    }

    private AccessToken fetchToken() {
        ApiResponse r = api.call(ApiRequest.post("/open-apis/auth/v3/tenant_access_token/internal",
                ApiClient.toJson(Map.of("app_id", config.appId(), "app_secret", config.appSecret()))),
                res -> RATE_LIMITED.contains(res.number("code", 0)));
        long code = r.number("code", r.status() == 200 ? 0 : -2);
        String token = r.text("tenant_access_token");
        if (code != 0 || token.isEmpty()) {
            String msg = "Feishu tenant_access_token refused (code " + code + ": " + r.text("msg")
                    + "): check feishu.app-id and feishu.app-secret, and that api-base is the right one for Feishu "
                    + "or Lark";
            health.failed(msg, true);
            throw code == -2 ? SendException.transientFailure(msg) : SendException.permanent(msg);
        }
        health.tokenFetched();
        return new AccessToken(token, Duration.ofSeconds(r.number("expire", 7200)));
    }

    private SendException failure(String call, long code, ApiResponse r) {
        String msg = "Feishu " + call + " failed (code " + code + ", HTTP " + r.status() + "): " + r.text("msg");
        if (code == -2 || RATE_LIMITED.contains(code) || TOKEN_INVALID.contains(code)) {
            return SendException.transientFailure(msg);
        }
        health.failed(msg, false);
        return SendException.permanent(msg);
    }

    @Override
    public ReplyStream open(InboundMessage replyTo) {
        ReplyTo.FeishuMessage to = target(replyTo);
        return new ThrottledReplyStream(new ThrottledReplyStream.Target() {
            @Override
            public String post(String textSoFar) {
                return reply(to, "interactive", card(textSoFar, List.of(), ""), 0, "stream");
            }

            @Override
            public void edit(String messageId, String textSoFar) {
                patchCard(messageId, card(textSoFar, List.of(), ""));
            }

            @Override
            public void finish(String messageId, OutboundText text) {
                List<String> parts = TextSplitter.utf8Bytes(text.markdown(), MAX_CARD_TEXT_BYTES);
                patchCard(messageId, card(parts.isEmpty() ? "" : parts.get(0), text.sources(), text.sourcesLabel()));
                for (int i = 1; i < parts.size(); i++) {
                    reply(to, "text", ApiClient.toJson(Map.of("text", MarkdownText.toPlain(parts.get(i)))), i,
                            parts.get(i));
                }
            }

            @Override
            public void sendWhole(OutboundText text) {
                send(replyTo, text);
            }
        }, STREAM_INTERVAL, options.clock(), options.sleeper());
    }

    /** An interactive card with one Markdown block and, when given, a sources note; updatable by PATCH. */
    static String card(String markdown, List<String> sources, String label) {
        String body = TextSplitter.utf8Length(markdown) <= MAX_CARD_TEXT_BYTES ? markdown
                : TextSplitter.utf8Bytes(markdown, MAX_CARD_TEXT_BYTES).get(0) + "…";
        List<Object> elements = new java.util.ArrayList<>();
        elements.add(Map.of("tag", "markdown", "content", body));
        if (!sources.isEmpty()) {
            elements.add(Map.of("tag", "hr"));
            elements.add(Map.of("tag", "note", "elements", List.of(Map.of("tag", "plain_text", "content",
                    label + ": " + String.join("; ", sources)))));
        }
        return ApiClient.toJson(Map.of("config", Map.of("wide_screen_mode", true, "update_multi", true),
                "elements", elements));
    }

    private static String uuid(String seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return "bg-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    private static JsonNode readJson(byte[] raw) {
        try {
            JsonNode n = JSON.readTree(raw);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static CallbackResult ignore(String why) {
        return new CallbackResult.Reply(HttpReply.json(200, "{}"), "ignored: " + why);
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
        return "FeishuAdapter[" + botId + "]";
    }
}

package dev.botgate.adapters.wecomaibot;

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
import dev.botgate.adapters.InboundFeed;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.RetryPolicy;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.delivery.ApiClient;
import dev.botgate.adapters.delivery.ApiRequest;
import dev.botgate.adapters.delivery.ApiResponse;
import dev.botgate.adapters.delivery.HealthRecord;
import dev.botgate.adapters.wxcrypto.WxCallback;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WeCom 智能机器人 (AI bot): members @-mention it in group chats or write to it 1:1, and its answers stream into the
 * chat.
 *
 * <ul>
 *   <li>Callback mode: the URL-verification GET as for a WeCom app; POSTs carry {@code {"encrypt": …}}, signed and
 *   encrypted like WeCom's XML callbacks but with an empty receive id, and are answered with an encrypted JSON
 *   envelope {@code {encrypt, msgsignature, timestamp, nonce}}.</li>
 *   <li>A message (text, mixed, image, …; in groups the @-mention prefix is stripped, a quote is kept as context)
 *   is answered in the callback's response with a {@code stream} of our id: the answer so far, waiting briefly so a
 *   knowledge answer finishes in this first reply. WeCom then POSTs refresh callbacks for that id; each gets the
 *   content so far until one carries {@code finish: true}. A re-delivery of the same message gets the same stream.
 *   An answer that outlives the 6-minute refresh window goes once through the message's {@code response_url}.</li>
 *   <li>Long-connection mode ({@link AiBotConnection}): the same messages arrive as frames on a WebSocket that
 *   Botgate opens to WeCom, and the stream goes back as {@code aibot_respond_msg} frames.</li>
 * </ul>
 */
public final class WeComAiBotAdapter implements ChannelAdapter, InboundFeed {
    /** WeCom refreshes a stream for 6 minutes after the user's message. */
    static final Duration REFRESH_WINDOW = Duration.ofMinutes(6);
    /** An answer that finishes this close to the window's end may never be refreshed: it goes by response_url. */
    static final Duration WINDOW_MARGIN = Duration.ofSeconds(10);
    /** How long the first reply waits for the answer (inside WeCom's 5 s): a knowledge answer finishes in it. */
    static final Duration FIRST_REPLY_WAIT = Duration.ofMillis(1500);
    private static final String SECTION = "wecom-aibot";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String botId;
    private final WeComAiBotConfig config;
    private final AdapterOptions options;
    private final WxCrypto crypto;
    private final HealthRecord health;
    private final Map<String, AiBotStream> streams = new ConcurrentHashMap<>();
    private final Duration firstReplyWait;
    private final AiBotConnection.Timing timing;
    private volatile AiBotConnection connection;

    /**
     * @param botId   the bot's id
     * @param config  its 智能机器人 settings
     * @param options clock, retries, timeouts
     */
    public WeComAiBotAdapter(String botId, WeComAiBotConfig config, AdapterOptions options) {
        this(botId, config, options, FIRST_REPLY_WAIT, AiBotConnection.Timing.defaults());
    }

    WeComAiBotAdapter(String botId, WeComAiBotConfig config, AdapterOptions options, Duration firstReplyWait,
                      AiBotConnection.Timing timing) {
        this.timing = timing;
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.firstReplyWait = firstReplyWait;
        // The AI bot's messages carry an empty receive id: nothing to compare (as in the official JSON sample).
        this.crypto = config.mode() == WeComAiBotConfig.Mode.CALLBACK
                ? new WxCrypto(config.token(), config.encodingAesKey(), "") : null;
        this.health = new HealthRecord(options.clock());
    }

    @Override
    public Channel channel() {
        return Channel.WECOM_AIBOT;
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public void start(FeedSink sink) {
        if (config.mode() == WeComAiBotConfig.Mode.LONG_CONNECTION) {
            connection = new AiBotConnection(config, options, health, frame -> onFrame(frame, sink), timing);
            connection.start();
        }
    }

    /** The long connection, when this bot uses one (tests read its state). */
    Optional<AiBotConnection> connection() {
        return Optional.ofNullable(connection);
    }

    @Override
    public CallbackResult handle(CallbackRequest request) {
        if (crypto == null) {
            return refuse(404, "this 智能机器人 bot uses the long connection (wecom-aibot.mode), not callbacks");
        }
        return switch (request.method()) {
            case "GET" -> WxCallback.verifyUrl(request, crypto, options, SECTION);
            case "POST" -> post(request);
            default -> refuse(405, "method not allowed: WeCom calls with GET (verification) and POST (messages)");
        };
    }

    private CallbackResult post(CallbackRequest request) {
        WxCallback.Opened opened = WxCallback.open(request, crypto, options, SECTION, body -> {
            try {
                JsonNode n = JSON.readTree(body);
                return n.path("encrypt").isTextual() ? Optional.of(n.path("encrypt").asText()) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        if (opened.refusal().isPresent()) {
            return opened.refusal().get();
        }
        JsonNode msg;
        try {
            msg = JSON.readTree(opened.plaintext());
        } catch (IOException e) {
            return refuse(400, "decrypted message is not JSON");
        }
        String type = msg.path("msgtype").asText("");
        if (type.equals("stream")) {
            return new CallbackResult.Reply(refresh(msg.path("stream").path("id").asText("")), "stream refresh");
        }
        Optional<InboundMessage> m = toMessage(msg, "");
        if (m.isEmpty()) {
            return new CallbackResult.Reply(HttpReply.text(200, ""), "ignored: " + CallbackResult.Reply.clip(type));
        }
        return new CallbackResult.Inbound(m.get(), new Ack.Now(HttpReply.text(200, "")));
    }

    /** A refresh callback: the stream's content so far; an unknown id (after a restart) is closed empty. */
    private HttpReply refresh(String streamId) {
        AiBotStream s = streams.get(streamId);
        AiBotStream.Snapshot snap = s == null ? new AiBotStream.Snapshot(streamId, "", true) : s.snapshot();
        return encrypted(streamJson(snap));
    }

    /**
     * A user's message (or the enter_chat event) from a callback or a long-connection frame; empty for what the bot
     * does not answer. Registers the answer's stream, so a refresh or a re-delivery finds it.
     */
    private Optional<InboundMessage> toMessage(JsonNode msg, String reqId) {
        String type = msg.path("msgtype").asText("");
        String msgId = msg.path("msgid").asText("");
        String user = msg.path("from").path("userid").asText("");
        if (msgId.isEmpty() || user.isEmpty()) {
            return Optional.empty();
        }
        boolean group = msg.path("chattype").asText("").equals("group");
        String chatId = msg.path("chatid").asText("");
        String conversation = group ? "group:" + chatId + ":" + user : "user:" + user;
        long now = options.clock().millis();
        String streamId = streamId(msgId);
        streams.computeIfAbsent(streamId, id -> new AiBotStream(id, now));
        forgetOldStreams(now);
        ReplyTo to = new ReplyTo.WeComAiBotChat(group ? chatId : "", user, streamId,
                msg.path("response_url").asText(""), reqId, now);
        MessageKind kind;
        String text = "";
        switch (type) {
            case "text" -> {
                kind = MessageKind.TEXT;
                text = msg.path("text").path("content").asText("");
            }
            case "mixed" -> {
                StringBuilder sb = new StringBuilder();
                for (JsonNode item : msg.path("mixed").path("msg_item")) {
                    if (item.path("msgtype").asText("").equals("text")) {
                        sb.append(item.path("text").path("content").asText("")).append('\n');
                    }
                }
                text = sb.toString().strip();
                // Images are not read yet: a mixed message without text gets the unsupported reply.
                kind = text.isEmpty() ? MessageKind.UNSUPPORTED : MessageKind.TEXT;
            }
            case "event" -> {
                if (!msg.path("event").path("eventtype").asText("").equals("enter_chat")) {
                    return Optional.empty();
                }
                kind = MessageKind.WELCOME;
            }
            default -> kind = MessageKind.UNSUPPORTED; // image, voice, file, …
        }
        if (group) {
            text = stripMention(text);
        }
        JsonNode quote = msg.path("quote");
        if (kind == MessageKind.TEXT && quote.path("msgtype").asText("").equals("text")) {
            String quoted = quote.path("text").path("content").asText("").strip();
            if (!quoted.isEmpty()) {
                text = "「" + quoted + "」\n" + text;
            }
        }
        return Optional.of(new InboundMessage(Channel.WECOM_AIBOT, botId, conversation, user, text.strip(), msgId, kind,
                to, false));
    }

    /** In a group the text starts with the bot's @-mention ({@code "@RobotA hello"}): drop it. */
    static String stripMention(String text) {
        return text.replaceFirst("^\\s*@\\S+\\s*", "");
    }

    /** Our stream id for a user's message: the same for each re-delivery, so a retry joins the answer. */
    static String streamId(String msgId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(msgId.getBytes(StandardCharsets.UTF_8));
            return "bg" + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 30);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private void forgetOldStreams(long now) {
        if (streams.size() > 64) {
            long cutoff = now - REFRESH_WINDOW.toMillis() * 2;
            streams.values().removeIf(s -> s.receivedAt() < cutoff);
        }
    }

    @Override
    public HttpReply acknowledge(CallbackResult.Inbound inbound, HttpReply dispatched) {
        if (!(inbound.message().replyTo() instanceof ReplyTo.WeComAiBotChat to) || crypto == null) {
            return dispatched;
        }
        AiBotStream s = streams.get(to.streamId());
        if (s == null) {
            return dispatched;
        }
        s.awaitFinished(firstReplyWait);
        AiBotStream.Snapshot snap = s.snapshot();
        if (inbound.message().kind() == MessageKind.WELCOME) {
            // enter_chat is answered with a text message, not a stream.
            return snap.finished() ? encrypted(textJson(snap.content())) : HttpReply.text(200, "");
        }
        return encrypted(streamJson(snap));
    }

    private static String streamJson(AiBotStream.Snapshot s) {
        Map<String, Object> stream = new LinkedHashMap<>();
        stream.put("id", s.id());
        stream.put("finish", s.finished());
        stream.put("content", s.content());
        return ApiClient.toJson(Map.of("msgtype", "stream", "stream", stream));
    }

    private static String textJson(String content) {
        return ApiClient.toJson(Map.of("msgtype", "text", "text", Map.of("content", content)));
    }

    /** The encrypted JSON envelope of a passive reply, signed over our own timestamp and nonce. */
    private HttpReply encrypted(String plaintext) {
        String ts = Long.toString(options.clock().instant().getEpochSecond());
        String nonce = WxCrypto.nonce();
        String encrypt = crypto.encrypt(plaintext);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("encrypt", encrypt);
        env.put("msgsignature", crypto.sign(ts, nonce, encrypt));
        env.put("timestamp", ts);
        env.put("nonce", nonce);
        return HttpReply.json(200, ApiClient.toJson(env));
    }

    @Override
    public ReplyStream open(InboundMessage replyTo) {
        if (!(replyTo.replyTo() instanceof ReplyTo.WeComAiBotChat to)) {
            throw SendException.permanent("not a WeCom AI bot message: " + replyTo.replyTo().getClass().getSimpleName());
        }
        if (!to.reqId().isEmpty()) {
            AiBotConnection c = connection;
            if (c == null) {
                throw SendException.transientFailure("the 智能机器人 long connection is not open");
            }
            return c.stream(to);
        }
        return new ReplyStream() {
            @Override
            public void update(String textSoFar) {
                AiBotStream s = streams.get(to.streamId());
                if (s != null) {
                    s.update(textSoFar);
                }
            }

            @Override
            public void finish(OutboundText text) {
                finishCallbackStream(to, text.withSourcesLine());
            }
        };
    }

    private void finishCallbackStream(ReplyTo.WeComAiBotChat to, String answer) {
        AiBotStream s = streams.get(to.streamId());
        long deadline = to.receivedAt() + REFRESH_WINDOW.minus(WINDOW_MARGIN).toMillis();
        if (s != null && options.clock().millis() < deadline) {
            s.finish(answer);
            return;
        }
        if (s != null) {
            s.finish(answer); // a late refresh still shows it; the response_url carries it in any case
        }
        // The refreshes are over (or this run never saw them, after a restart): the one-time response_url.
        respond(to, answer);
    }

    /** Posts an answer to the message's one-time {@code response_url} (valid 1 h) as markdown. */
    private void respond(ReplyTo.WeComAiBotChat to, String answer) {
        if (to.responseUrl().isEmpty()) {
            throw SendException.permanent("the answer outlived the stream's 6-minute window and the message had no "
                    + "response_url to send it through");
        }
        URI u = URI.create(to.responseUrl());
        String base = u.getScheme() + "://" + u.getRawAuthority();
        // Once only: the URL is single-use, so a timed-out call is not repeated (it may have been delivered).
        AdapterOptions once = options.with(new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        try (ApiClient client = new ApiClient("WeCom aibot response_url", base, once)) {
            ApiRequest req = ApiRequest.post(u.getRawPath(), ApiClient.toJson(Map.of("msgtype", "markdown",
                    "markdown", Map.of("content", answer))));
            if (u.getRawQuery() != null) {
                for (String pair : u.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        req = req.query(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
            }
            ApiResponse r = client.call(req);
            long code = r.number("errcode", r.status() == 200 ? 0 : -2);
            if (code != 0) {
                String msg = "WeCom refused the answer sent through response_url (errcode " + code + "): "
                        + r.text("errmsg") + "; the URL is single-use and valid for 1 hour";
                health.failed(msg, false);
                throw SendException.permanent(msg);
            }
            health.succeeded();
        } catch (SendException e) {
            if (e.retryable()) {
                throw SendException.permanent("response_url call failed and is not repeated (single-use URL): "
                        + e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        open(replyTo).finish(text);
    }

    /** A long-connection frame: a message to answer goes into the pipeline; the rest is the connection's own. */
    private void onFrame(JsonNode frame, FeedSink sink) {
        // Only messages: the welcome frame for enter_chat on this connection is not in the material we could read,
        // so events are left unanswered here rather than answered with a guessed frame.
        if (frame.path("cmd").asText("").equals("aibot_msg_callback")) {
            String reqId = frame.path("headers").path("req_id").asText("");
            toMessage(frame.path("body"), reqId).ifPresent(sink::accept);
        }
    }

    @Override
    public ChannelHealth health() {
        return health.snapshot();
    }

    @Override
    public void close() {
        AiBotConnection c = connection;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "WeComAiBotAdapter[" + botId + ", " + config.mode() + "]";
    }
}

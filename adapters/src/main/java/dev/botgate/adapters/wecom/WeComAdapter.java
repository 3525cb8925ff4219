package dev.botgate.adapters.wecom;

import static dev.botgate.adapters.CallbackResult.Reply.refuse;

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
import dev.botgate.adapters.delivery.MarkdownText;
import dev.botgate.adapters.delivery.TextSplitter;
import dev.botgate.adapters.delivery.ThrottledReplyStream;
import dev.botgate.adapters.wxcrypto.WxCrypto;
import dev.botgate.adapters.wxcrypto.WxCryptoException;
import dev.botgate.adapters.wxcrypto.WxXml;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A WeCom self-built application (自建应用) bot.
 *
 * <ul>
 *   <li>GET (URL verification): {@code msg_signature} over token, timestamp, nonce, echostr; the decrypted echostr is
 *   the whole response.</li>
 *   <li>POST: {@code msg_signature} over {@code Encrypt}, AES decrypt with the CorpID as receive id, XML without
 *   DTDs. Text → {@link MessageKind#TEXT}; events {@code subscribe}/{@code enter_agent} →
 *   {@link MessageKind#WELCOME}; other events ignored; other message types → {@link MessageKind#UNSUPPORTED}.
 *   Acknowledged with an empty 200.</li>
 *   <li>Answers through {@code /cgi-bin/message/send} (plain text, parts under 2048 bytes, WeCom's duplicate check on
 *   so a retried part is not shown twice), token from {@code /cgi-bin/gettoken}.</li>
 * </ul>
 */
public final class WeComAdapter implements ChannelAdapter {
    /** WeCom truncates {@code text.content} beyond 2048 bytes; stay under it. */
    static final int MAX_TEXT_BYTES = 2000;
    static final Set<Long> TOKEN_EXPIRED = Set.of(40014L, 42001L, 42009L);
    static final String IP_NOT_TRUSTED_FIX = "WeCom refused the call because this server's IP is not trusted "
            + "(errcode 60020): add this server's IP to the app's trusted IPs (企业可信IP) in the WeCom admin "
            + "console";
    private static final System.Logger LOG = System.getLogger(WeComAdapter.class.getName());

    private final String botId;
    private final WeComConfig config;
    private final AdapterOptions options;
    private final WxCrypto crypto;
    private final ApiClient api;
    private final AccessTokenCache tokens;
    private final HealthRecord health;

    /**
     * @param botId   the bot's id
     * @param config  its WeCom settings
     * @param options clock, retries, timeouts
     */
    public WeComAdapter(String botId, WeComConfig config, AdapterOptions options) {
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.crypto = new WxCrypto(config.token(), config.encodingAesKey(), config.corpId());
        this.api = new ApiClient("WeCom", config.apiBase(), options);
        this.health = new HealthRecord(options.clock());
        this.tokens = new AccessTokenCache(options.clock(), Duration.ofMinutes(5), this::fetchToken);
    }

    @Override
    public Channel channel() {
        return Channel.WECOM;
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public CallbackResult handle(CallbackRequest request) {
        return switch (request.method()) {
            case "GET" -> verifyUrl(request);
            case "POST" -> message(request);
            default -> refuse(405, "method not allowed: WeCom calls with GET (verification) and POST (messages)");
        };
    }

    private CallbackResult verifyUrl(CallbackRequest request) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String name : List.of("msg_signature", "timestamp", "nonce", "echostr")) {
            Optional<String> v = request.queryParam(name);
            if (v.isEmpty()) {
                return refuse(400, "missing query parameter " + name);
            }
            // Base64 has no spaces: a space is a '+' that a framework decoded as form data (the samples warn of it).
            q.put(name, name.equals("echostr") ? v.get().replace(' ', '+') : v.get());
        }
        Optional<CallbackResult.Reply> stale = CallbackResult.Reply.staleTimestamp(q.get("timestamp"), options);
        if (stale.isPresent()) {
            return stale.get();
        }
        if (!crypto.verify(q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), q.get("echostr"))) {
            return refuse(401, "bad signature: check wecom.token");
        }
        try {
            String plain = crypto.decrypt(q.get("echostr"));
            return new CallbackResult.Reply(HttpReply.text(200, plain), "url verification");
        } catch (WxCryptoException e) {
            return decryptFailure(e);
        }
    }

    private CallbackResult message(CallbackRequest request) {
        Optional<String> sig = request.queryParam("msg_signature");
        Optional<String> ts = request.queryParam("timestamp");
        Optional<String> nonce = request.queryParam("nonce");
        if (sig.isEmpty() || ts.isEmpty() || nonce.isEmpty()) {
            return refuse(400, "missing query parameter msg_signature, timestamp or nonce");
        }
        Optional<CallbackResult.Reply> stale = CallbackResult.Reply.staleTimestamp(ts.get(), options);
        if (stale.isPresent()) {
            return stale.get();
        }
        WxXml envelope;
        try {
            envelope = WxXml.parse(request.body());
        } catch (WxCryptoException e) {
            return refuse(400, "malformed XML body");
        }
        Optional<String> encrypt = envelope.get("Encrypt");
        if (encrypt.isEmpty() || encrypt.get().isBlank()) {
            return refuse(400, "no Encrypt element in the body");
        }
        if (!crypto.verify(sig.get(), ts.get(), nonce.get(), encrypt.get())) {
            return refuse(401, "bad signature: check wecom.token");
        }
        WxXml msg;
        try {
            msg = WxXml.parse(crypto.decrypt(encrypt.get()));
        } catch (WxCryptoException e) {
            return decryptFailure(e);
        }
        return toInbound(msg);
    }

    private CallbackResult toInbound(WxXml msg) {
        String from = msg.text("FromUserName");
        String type = msg.text("MsgType");
        if (from.isEmpty() || type.isEmpty()) {
            return refuse(400, "message without FromUserName or MsgType");
        }
        ReplyTo to = new ReplyTo.WeComUser(from);
        Ack ack = new Ack.Now(HttpReply.text(200, ""));
        String createTime = msg.text("CreateTime");
        String conversation = "user:" + from;
        if (type.equals("event")) {
            String event = msg.text("Event");
            if (event.equals("subscribe") || event.equals("enter_agent")) {
                String id = "event:" + from + ":" + createTime + ":" + event;
                return new CallbackResult.Inbound(new InboundMessage(Channel.WECOM, botId, conversation, from, "",
                        id, MessageKind.WELCOME, to, false), ack);
            }
            return new CallbackResult.Reply(HttpReply.text(200, ""), "ignored: event " + CallbackResult.Reply.clip(event));
        }
        String msgId = msg.text("MsgId");
        String id = msgId.isEmpty() ? "msg:" + from + ":" + createTime : msgId;
        if (type.equals("text")) {
            return new CallbackResult.Inbound(new InboundMessage(Channel.WECOM, botId, conversation, from,
                    msg.text("Content").strip(), id, MessageKind.TEXT, to, false), ack);
        }
        return new CallbackResult.Inbound(new InboundMessage(Channel.WECOM, botId, conversation, from, "", id,
                MessageKind.UNSUPPORTED, to, false), ack);
    }

    private CallbackResult decryptFailure(WxCryptoException e) {
        if (e.reason() == WxCryptoException.Reason.WRONG_RECEIVER) {
            return refuse(401, "message is for another CorpID: check wecom.corp-id");
        }
        return refuse(400, "cannot decrypt: " + e.getMessage() + "; check wecom.encoding-aes-key");
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        if (!(replyTo.replyTo() instanceof ReplyTo.WeComUser user)) {
            throw SendException.permanent("not a WeCom message: " + replyTo.replyTo().getClass().getSimpleName());
        }
        for (String part : TextSplitter.utf8Bytes(MarkdownText.toPlain(text.withSourcesLine()), MAX_TEXT_BYTES)) {
            sendText(user.userId(), part);
        }
    }

    private void sendText(String userId, String content) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("touser", userId);
        body.put("msgtype", "text");
        body.put("agentid", Long.parseLong(config.agentId()));
        body.put("text", Map.of("content", content));
        body.put("safe", 0);
        // WeCom drops an identical message to the same user within the interval: a retried send is not shown twice.
        body.put("enable_duplicate_check", 1);
        body.put("duplicate_check_interval", 1800);
        String json = ApiClient.toJson(body);
        for (int tokenTry = 1; ; tokenTry++) {
            String token = tokens.get();
            ApiResponse r = api.call(ApiRequest.post("/cgi-bin/message/send", json).query("access_token", token),
                    res -> res.number("errcode", 0) == -1);
            long code = r.number("errcode", r.status() == 200 ? 0 : -2);
            if (code == 0) {
                health.succeeded();
                return;
            }
            if (TOKEN_EXPIRED.contains(code) && tokenTry == 1) {
                tokens.invalidate(token);
                continue;
            }
            throw failure("message/send", code, r);
        }
    }

    private AccessToken fetchToken() {
        ApiResponse r = api.call(ApiRequest.get("/cgi-bin/gettoken").query("corpid", config.corpId())
                .query("corpsecret", config.secret()), res -> res.number("errcode", 0) == -1);
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        String token = r.text("access_token");
        if (code != 0 || token.isEmpty()) {
            if (code == 40001 || code == 40013 || code == 40091) {
                String msg = "WeCom gettoken refused the credentials (errcode " + code
                        + "): check wecom.corp-id and wecom.secret";
                health.failed(msg, true);
                throw SendException.permanent(msg);
            }
            throw failure("gettoken", code, r);
        }
        health.tokenFetched();
        return new AccessToken(token, Duration.ofSeconds(r.number("expires_in", 7200)));
    }

    private SendException failure(String call, long code, ApiResponse r) {
        if (code == 60020) {
            health.failed(IP_NOT_TRUSTED_FIX, false);
            LOG.log(System.Logger.Level.WARNING, "bot " + botId + ": " + IP_NOT_TRUSTED_FIX);
            return SendException.permanent(IP_NOT_TRUSTED_FIX);
        }
        if (code == 45009 || code == -1 || code == -2 || TOKEN_EXPIRED.contains(code)) {
            return SendException.transientFailure("WeCom " + call + " failed (errcode " + code + ", HTTP "
                    + r.status() + "): " + r.text("errmsg"));
        }
        String msg = "WeCom " + call + " failed (errcode " + code + "): " + r.text("errmsg");
        health.failed(msg, false);
        return SendException.permanent(msg);
    }

    @Override
    public ReplyStream open(InboundMessage replyTo) {
        return ThrottledReplyStream.sendOnFinish(t -> send(replyTo, t));
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
        return "WeComAdapter[" + botId + "]";
    }
}

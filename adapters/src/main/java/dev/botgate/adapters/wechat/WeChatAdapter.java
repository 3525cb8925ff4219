package dev.botgate.adapters.wechat;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A WeChat Official Account (公众号) bot.
 *
 * <ul>
 *   <li>GET (URL verification): {@code signature} over token, timestamp, nonce; {@code echostr} returned as is.</li>
 *   <li>POST, plain mode: {@code signature} checked, XML read. Safe and compatible mode ({@code encrypt_type=aes}):
 *   {@code msg_signature} over {@code Encrypt}, AES with the AppID as receive id; the plaintext fields of a
 *   compatible-mode body are not trusted. XML never resolves entities.</li>
 *   <li>Text → {@link MessageKind#TEXT}; voice with {@code Recognition} → TEXT; {@code subscribe} →
 *   {@link MessageKind#WELCOME}; other events ignored ({@code success}); other types →
 *   {@link MessageKind#UNSUPPORTED}. Dedupe key {@code MsgId}, or {@code FromUserName:CreateTime} for events.</li>
 *   <li>Verified account: acknowledged with {@code success}, answered through {@code /cgi-bin/message/custom/send}.
 *   Unverified account: {@link Ack.Hold} (3 deliveries, each held up to 4.5 s) and {@link #passiveReply}, encrypted
 *   in safe mode.</li>
 * </ul>
 */
public final class WeChatAdapter implements ChannelAdapter {
    /** Community-measured limit of one text message (the official doc gives none); stay under it. */
    static final int MAX_TEXT_BYTES = 2000;
    static final Duration HOLD = Duration.ofMillis(4500);
    static final int DELIVERIES = 3;
    static final Set<Long> TOKEN_EXPIRED = Set.of(40001L, 40014L, 42001L);
    static final String IP_NOT_WHITELISTED_FIX = "WeChat refused the call because this server's IP is not in the "
            + "account's IP whitelist (errcode 40164): add it under Settings and Development → "
            + "Basic Configuration → "
            + "IP whitelist (IP白名单) in the Official Account platform";
    private static final System.Logger LOG = System.getLogger(WeChatAdapter.class.getName());

    private final String botId;
    private final WeChatConfig config;
    private final AdapterOptions options;
    private final WxCrypto signer;
    private final Optional<WxCrypto> crypto;
    private final Optional<WxCrypto> previousCrypto;
    private final ApiClient api;
    private final AccessTokenCache tokens;
    private final HealthRecord health;

    /**
     * @param botId   the bot's id
     * @param config  its Official Account settings
     * @param options clock, retries, timeouts, signature window
     */
    public WeChatAdapter(String botId, WeChatConfig config, AdapterOptions options) {
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.crypto = config.encodingAesKey().map(k -> new WxCrypto(config.token(), k, config.appId()));
        this.previousCrypto = config.previousEncodingAesKey()
                .map(k -> new WxCrypto(config.token(), k, config.appId()));
        // Plain-mode signatures need only the token; the key argument is a placeholder never used to decrypt.
        this.signer = crypto.orElseGet(() -> new WxCrypto(config.token(), "A".repeat(43), config.appId()));
        this.api = new ApiClient("WeChat", config.apiBase(), options);
        this.health = new HealthRecord(options.clock());
        this.tokens = new AccessTokenCache(options.clock(), Duration.ofMinutes(5), this::fetchToken);
    }

    @Override
    public Channel channel() {
        return Channel.WECHAT;
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
            default -> refuse(405, "method not allowed: WeChat calls with GET (verification) and POST (messages)");
        };
    }

    private CallbackResult verifyUrl(CallbackRequest request) {
        Optional<String> sig = request.queryParam("signature");
        Optional<String> ts = request.queryParam("timestamp");
        Optional<String> nonce = request.queryParam("nonce");
        Optional<String> echostr = request.queryParam("echostr");
        if (sig.isEmpty() || ts.isEmpty() || nonce.isEmpty() || echostr.isEmpty()) {
            return refuse(400, "missing query parameter signature, timestamp, nonce or echostr");
        }
        Optional<CallbackResult.Reply> stale = CallbackResult.Reply.staleTimestamp(ts.get(), options);
        if (stale.isPresent()) {
            return stale.get();
        }
        if (!signer.verify(sig.get(), ts.get(), nonce.get())) {
            return refuse(401, "bad signature: check wechat.token");
        }
        return new CallbackResult.Reply(HttpReply.text(200, echostr.get()), "url verification");
    }

    private CallbackResult message(CallbackRequest request) {
        Optional<String> ts = request.queryParam("timestamp");
        Optional<String> nonce = request.queryParam("nonce");
        if (ts.isEmpty() || nonce.isEmpty()) {
            return refuse(400, "missing query parameter timestamp or nonce");
        }
        Optional<CallbackResult.Reply> stale = CallbackResult.Reply.staleTimestamp(ts.get(), options);
        if (stale.isPresent()) {
            return stale.get();
        }
        WxXml body;
        try {
            body = WxXml.parse(request.body());
        } catch (WxCryptoException e) {
            return refuse(400, "malformed XML body");
        }
        boolean encrypted = request.queryParam("encrypt_type").map("aes"::equals).orElse(false);
        WxXml msg;
        ReplyTo.WeChatUser.Crypto used = ReplyTo.WeChatUser.Crypto.PLAIN;
        if (encrypted) {
            if (crypto.isEmpty()) {
                return refuse(400, "safe-mode message but wechat.encoding-aes-key is not set");
            }
            Optional<String> msgSig = request.queryParam("msg_signature");
            String encrypt = body.text("Encrypt");
            if (msgSig.isEmpty() || encrypt.isBlank()) {
                return refuse(400, "safe-mode message without msg_signature or Encrypt");
            }
            if (!crypto.get().verify(msgSig.get(), ts.get(), nonce.get(), encrypt)) {
                return refuse(401, "bad signature: check wechat.token");
            }
            String plain;
            try {
                plain = crypto.get().decrypt(encrypt);
                used = ReplyTo.WeChatUser.Crypto.CURRENT_KEY;
            } catch (WxCryptoException e) {
                if (e.reason() == WxCryptoException.Reason.WRONG_RECEIVER) {
                    return refuse(401, "message is for another AppID: check wechat.app-id");
                }
                Optional<String> old = previousCrypto.flatMap(p -> tryDecrypt(p, encrypt));
                if (old.isEmpty()) {
                    return refuse(400, "cannot decrypt: " + e.getMessage() + "; check wechat.encoding-aes-key");
                }
                plain = old.get();
                used = ReplyTo.WeChatUser.Crypto.PREVIOUS_KEY;
            }
            try {
                msg = WxXml.parse(plain);
            } catch (WxCryptoException e) {
                return refuse(400, "malformed XML in the decrypted message");
            }
        } else {
            Optional<String> sig = request.queryParam("signature");
            if (sig.isEmpty()) {
                return refuse(400, "missing query parameter signature");
            }
            if (!signer.verify(sig.get(), ts.get(), nonce.get())) {
                return refuse(401, "bad signature: check wechat.token");
            }
            msg = body;
        }
        return toInbound(msg, used);
    }

    private static Optional<String> tryDecrypt(WxCrypto c, String encrypt) {
        try {
            return Optional.of(c.decrypt(encrypt));
        } catch (WxCryptoException e) {
            return Optional.empty();
        }
    }

    private CallbackResult toInbound(WxXml msg, ReplyTo.WeChatUser.Crypto encrypted) {
        String from = msg.text("FromUserName");
        String account = msg.text("ToUserName");
        String type = msg.text("MsgType");
        if (from.isEmpty() || account.isEmpty() || type.isEmpty()) {
            return refuse(400, "message without FromUserName, ToUserName or MsgType");
        }
        ReplyTo to = new ReplyTo.WeChatUser(from, account, encrypted);
        String conversation = "user:" + from;
        String createTime = msg.text("CreateTime");
        Ack ack = config.verified() ? new Ack.Now(success())
                : new Ack.Hold(HOLD, DELIVERIES, MAX_TEXT_BYTES, success());
        if (type.equals("event")) {
            String event = msg.text("Event");
            if (event.equals("subscribe")) {
                return new CallbackResult.Inbound(new InboundMessage(Channel.WECHAT, botId, conversation, from, "",
                        from + ":" + createTime, MessageKind.WELCOME, to, false), ack);
            }
            return new CallbackResult.Reply(success(), "ignored: event " + CallbackResult.Reply.clip(event));
        }
        String msgId = msg.text("MsgId");
        String id = msgId.isEmpty() ? from + ":" + createTime : msgId;
        String text = switch (type) {
            case "text" -> msg.text("Content").strip();
            case "voice" -> msg.text("Recognition").strip();
            default -> "";
        };
        MessageKind kind = text.isEmpty() ? MessageKind.UNSUPPORTED : MessageKind.TEXT;
        return new CallbackResult.Inbound(new InboundMessage(Channel.WECHAT, botId, conversation, from, text, id, kind,
                to, false), ack);
    }

    private static HttpReply success() {
        return HttpReply.text(200, "success");
    }

    @Override
    public List<String> passiveParts(OutboundText text) {
        return TextSplitter.utf8Bytes(MarkdownText.toPlain(text.withSourcesLine()), MAX_TEXT_BYTES);
    }

    /**
     * The passive text reply to {@code replyTo}'s user, encrypted when the callback was. {@code text} is shown as is.
     *
     * @throws IllegalArgumentException when {@code text} is longer than one reply carries (use {@link #passiveParts})
     */
    @Override
    public Optional<HttpReply> passiveReply(InboundMessage replyTo, String text) {
        if (!(replyTo.replyTo() instanceof ReplyTo.WeChatUser user)) {
            throw new IllegalArgumentException("not an Official Account message");
        }
        if (TextSplitter.utf8Length(text) > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("passive reply over " + MAX_TEXT_BYTES + " bytes: use passiveParts");
        }
        String now = Long.toString(options.clock().instant().getEpochSecond());
        String xml = "<xml><ToUserName>" + WxXml.cdata(user.openId()) + "</ToUserName><FromUserName>"
                + WxXml.cdata(user.accountId()) + "</FromUserName><CreateTime>" + now
                + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" + WxXml.cdata(text)
                + "</Content></xml>";
        if (user.encrypted()) {
            // Reply with the key the message came with: during a key change WeChat may still use the old one.
            Optional<WxCrypto> c = user.crypto() == ReplyTo.WeChatUser.Crypto.PREVIOUS_KEY ? previousCrypto : crypto;
            if (c.isEmpty()) {
                throw new IllegalStateException("safe-mode reply without the EncodingAESKey it came with");
            }
            return Optional.of(HttpReply.xml(200, c.get().replyEnvelope(xml, now, WxCrypto.nonce())));
        }
        return Optional.of(HttpReply.xml(200, xml));
    }

    @Override
    public boolean canSend() {
        return config.verified();
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        if (!(replyTo.replyTo() instanceof ReplyTo.WeChatUser user)) {
            throw SendException.permanent("not an Official Account message");
        }
        if (!config.verified()) {
            throw SendException.permanent("bot " + botId + " is an unverified Official Account (wechat.verified: "
                    + "false): it can only answer passively inside the callback");
        }
        for (String part : passiveParts(text)) {
            sendText(user.openId(), part);
        }
    }

    private void sendText(String openId, String content) {
        String json = ApiClient.toJson(Map.of("touser", openId, "msgtype", "text", "text",
                Map.of("content", content)));
        for (int tokenTry = 1; ; tokenTry++) {
            String token = tokens.get();
            ApiResponse r = api.call(ApiRequest.post("/cgi-bin/message/custom/send", json)
                    .query("access_token", token), res -> res.number("errcode", 0) == -1);
            long code = r.number("errcode", r.status() == 200 ? 0 : -2);
            if (code == 0) {
                health.succeeded();
                return;
            }
            if (TOKEN_EXPIRED.contains(code) && tokenTry == 1) {
                tokens.invalidate(token);
                continue;
            }
            throw failure("message/custom/send", code, r);
        }
    }

    private AccessToken fetchToken() {
        ApiResponse r = api.call(ApiRequest.get("/cgi-bin/token").query("grant_type", "client_credential")
                .query("appid", config.appId()).query("secret", config.appSecret()),
                res -> res.number("errcode", 0) == -1);
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        String token = r.text("access_token");
        if (code != 0 || token.isEmpty()) {
            if (code == 40001 || code == 40013 || code == 40125) {
                String msg = "WeChat token request refused the credentials (errcode " + code
                        + "): check wechat.app-id and wechat.app-secret";
                health.failed(msg, true);
                throw SendException.permanent(msg);
            }
            throw failure("token", code, r);
        }
        health.tokenFetched();
        return new AccessToken(token, Duration.ofSeconds(r.number("expires_in", 7200)));
    }

    private SendException failure(String call, long code, ApiResponse r) {
        if (code == 40164 || code == 61004) {
            health.failed(IP_NOT_WHITELISTED_FIX, false);
            LOG.log(System.Logger.Level.WARNING, "bot " + botId + ": " + IP_NOT_WHITELISTED_FIX);
            return SendException.permanent(IP_NOT_WHITELISTED_FIX);
        }
        if (code == 48001) {
            String msg = "WeChat " + call + " is not allowed for this account (errcode 48001): only verified "
                    + "accounts may send customer-service messages; set wechat.verified: false";
            health.failed(msg, false);
            return SendException.permanent(msg);
        }
        if (code == 45015 || code == 45047) {
            // The user's 48-hour window or the 5-replies quota is used up: nothing an operator can fix now.
            return SendException.permanent("WeChat " + call + " refused (errcode " + code + "): the user's reply "
                    + "window or quota is used up; " + r.text("errmsg"));
        }
        if (code == -1 || code == -2 || code == 45009 || TOKEN_EXPIRED.contains(code)) {
            return SendException.transientFailure("WeChat " + call + " failed (errcode " + code + ", HTTP "
                    + r.status() + "): " + r.text("errmsg"));
        }
        String msg = "WeChat " + call + " failed (errcode " + code + "): " + r.text("errmsg");
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
        return "WeChatAdapter[" + botId + "]";
    }
}

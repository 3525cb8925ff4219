package dev.botgate.adapters.wechat;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wxcrypto.WxCrypto;
import dev.botgate.adapters.wxcrypto.WxXml;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds Official Account callbacks as WeChat sends them, in plain, compatible or safe mode. Public for the gateway's
 * end-to-end tests.
 */
public final class WeChatCallbacks {

    /** The account's message encryption mode (消息加解密方式). */
    public enum Mode {
        /** 明文模式. */
        PLAIN,
        /** 兼容模式: plaintext fields and Encrypt in one body. */
        COMPATIBLE,
        /** 安全模式. */
        SAFE
    }

    private final String token;
    private final WxCrypto crypto;
    private final String accountId;
    private long nonce = 2_000_000;

    /**
     * @param token          the server Token
     * @param encodingAesKey the EncodingAESKey (any valid key in plain mode)
     * @param appId          the AppID
     * @param accountId      the account's gh_ id ({@code ToUserName})
     */
    public WeChatCallbacks(String token, String encodingAesKey, String appId, String accountId) {
        this.token = token;
        this.crypto = new WxCrypto(token, encodingAesKey, appId);
        this.accountId = accountId;
    }

    /** The URL-verification GET; the right answer is {@code echostr} itself. */
    public synchronized SignedCallback urlVerification(String echostr, Instant at) {
        String ts = Long.toString(at.getEpochSecond());
        String n = Long.toString(nonce++);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("signature", WxCrypto.signature(token, ts, n));
        q.put("echostr", echostr);
        q.put("timestamp", ts);
        q.put("nonce", n);
        return new SignedCallback("GET", q, Map.of(), new byte[0]);
    }

    /** A text message from a follower. */
    public SignedCallback text(String openId, String content, long msgId, Instant at, Mode mode) {
        return message(fields(openId, at) + "<MsgType><![CDATA[text]]></MsgType><Content>" + WxXml.cdata(content)
                + "</Content><MsgId>" + msgId + "</MsgId>", openId, at, mode);
    }

    /** A voice message with WeChat's recognition text (empty for none). */
    public SignedCallback voice(String openId, String recognition, long msgId, Instant at, Mode mode) {
        return message(fields(openId, at) + "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m1]]></MediaId>"
                + "<Format><![CDATA[amr]]></Format><Recognition>" + WxXml.cdata(recognition) + "</Recognition>"
                + "<MsgId>" + msgId + "</MsgId>", openId, at, mode);
    }

    /** An event such as {@code subscribe}. */
    public SignedCallback event(String openId, String event, Instant at, Mode mode) {
        return message(fields(openId, at) + "<MsgType><![CDATA[event]]></MsgType><Event>" + WxXml.cdata(event)
                + "</Event>", openId, at, mode);
    }

    private String fields(String openId, Instant at) {
        return "<ToUserName>" + WxXml.cdata(accountId) + "</ToUserName><FromUserName>" + WxXml.cdata(openId)
                + "</FromUserName><CreateTime>" + at.getEpochSecond() + "</CreateTime>";
    }

    /** A POST whose decrypted XML has these inner elements. */
    public synchronized SignedCallback message(String innerElements, String openId, Instant at, Mode mode) {
        String ts = Long.toString(at.getEpochSecond());
        String n = Long.toString(nonce++);
        String plain = "<xml>" + innerElements + "</xml>";
        Map<String, String> q = new LinkedHashMap<>();
        q.put("signature", WxCrypto.signature(token, ts, n));
        q.put("timestamp", ts);
        q.put("nonce", n);
        q.put("openid", openId);
        String body;
        if (mode == Mode.PLAIN) {
            body = plain;
        } else {
            String encrypt = crypto.encrypt(plain);
            q.put("encrypt_type", "aes");
            q.put("msg_signature", crypto.sign(ts, n, encrypt));
            body = mode == Mode.SAFE
                    ? "<xml><ToUserName>" + WxXml.cdata(accountId) + "</ToUserName><Encrypt>" + WxXml.cdata(encrypt)
                    + "</Encrypt></xml>"
                    : "<xml>" + innerElements + "<Encrypt>" + WxXml.cdata(encrypt) + "</Encrypt></xml>";
        }
        return new SignedCallback("POST", q, Map.of("Content-Type", "text/xml"),
                body.getBytes(StandardCharsets.UTF_8));
    }
}

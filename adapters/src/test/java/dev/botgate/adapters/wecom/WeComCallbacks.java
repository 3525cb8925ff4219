package dev.botgate.adapters.wecom;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wxcrypto.WxCrypto;
import dev.botgate.adapters.wxcrypto.WxXml;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds WeCom callbacks signed and encrypted the way WeCom does, for a bot's token, EncodingAESKey and CorpID:
 * URL verification GETs and message POSTs. Public for the gateway's end-to-end tests.
 */
public final class WeComCallbacks {
    private final WxCrypto crypto;
    private final String corpId;
    private long nonce = 1_000_000;

    /** For a bot with these callback settings. */
    public WeComCallbacks(String token, String encodingAesKey, String corpId) {
        this.crypto = new WxCrypto(token, encodingAesKey, corpId);
        this.corpId = corpId;
    }

    /** For a bot's config. */
    public WeComCallbacks(WeComConfig config) {
        this(config.token(), config.encodingAesKey(), config.corpId());
    }

    /** The GET WeCom sends when the admin saves the callback URL; the right answer is {@code echoPlain}. */
    public synchronized SignedCallback urlVerification(String echoPlain, Instant at) {
        String ts = Long.toString(at.getEpochSecond());
        String n = Long.toString(nonce++);
        String echostr = crypto.encrypt(echoPlain);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("msg_signature", crypto.sign(ts, n, echostr));
        q.put("timestamp", ts);
        q.put("nonce", n);
        q.put("echostr", echostr);
        return new SignedCallback("GET", q, Map.of(), new byte[0]);
    }

    /** A text message from a member. */
    public SignedCallback text(String fromUser, String content, long msgId, Instant at) {
        return message("<xml><ToUserName>" + WxXml.cdata(corpId) + "</ToUserName><FromUserName>"
                + WxXml.cdata(fromUser) + "</FromUserName><CreateTime>" + at.getEpochSecond()
                + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" + WxXml.cdata(content)
                + "</Content><MsgId>" + msgId + "</MsgId><AgentID>1000002</AgentID></xml>", at);
    }

    /** An event ({@code subscribe}, {@code enter_agent}, {@code LOCATION}, …). */
    public SignedCallback event(String fromUser, String event, Instant at) {
        return message("<xml><ToUserName>" + WxXml.cdata(corpId) + "</ToUserName><FromUserName>"
                + WxXml.cdata(fromUser) + "</FromUserName><CreateTime>" + at.getEpochSecond()
                + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>" + WxXml.cdata(event)
                + "</Event><AgentID>1000002</AgentID></xml>", at);
    }

    /** A POST carrying any decrypted XML. */
    public synchronized SignedCallback message(String plainXml, Instant at) {
        String ts = Long.toString(at.getEpochSecond());
        String n = Long.toString(nonce++);
        String encrypt = crypto.encrypt(plainXml);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("msg_signature", crypto.sign(ts, n, encrypt));
        q.put("timestamp", ts);
        q.put("nonce", n);
        String body = "<xml><ToUserName><![CDATA[" + corpId + "]]></ToUserName><Encrypt><![CDATA[" + encrypt
                + "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>";
        return new SignedCallback("POST", q, Map.of("Content-Type", "text/xml"),
                body.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.botgate.adapters.wecomaibot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the 智能机器人's callbacks as WeCom sends them (JSON {@code {"encrypt": …}}, empty receive id, signed), and
 * opens the bot's encrypted JSON replies. Public for the gateway's tests.
 */
public final class WeComAiBotCallbacks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WxCrypto crypto;
    private final String token;
    private long nonce = 2_000_000;

    /** For a bot with these callback settings. */
    public WeComAiBotCallbacks(String token, String encodingAesKey) {
        this.crypto = new WxCrypto(token, encodingAesKey, "");
        this.token = token;
    }

    /** The URL-verification GET. */
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

    /** A message's JSON, without its content: msgid, aibotid, chat, sender, response_url. */
    public static ObjectNode message(String msgId, String chatId, String user, String responseUrl) {
        ObjectNode m = JSON.createObjectNode();
        m.put("msgid", msgId).put("aibotid", "AIBOTID");
        if (!chatId.isEmpty()) {
            m.put("chatid", chatId).put("chattype", "group");
        } else {
            m.put("chattype", "single");
        }
        m.putObject("from").put("userid", user);
        m.put("response_url", responseUrl);
        return m;
    }

    /** A text message; in a group WeCom keeps the @-mention in the content. */
    public static ObjectNode text(String msgId, String chatId, String user, String content, String responseUrl) {
        ObjectNode m = message(msgId, chatId, user, responseUrl);
        m.put("msgtype", "text");
        m.putObject("text").put("content", content);
        return m;
    }

    /** The refresh WeCom sends for a stream. */
    public static ObjectNode refresh(String streamId) {
        ObjectNode m = JSON.createObjectNode();
        m.put("msgid", "REFRESH" + System.nanoTime()).put("aibotid", "AIBOTID").put("msgtype", "stream");
        m.putObject("stream").put("id", streamId);
        return m;
    }

    /** A POST carrying any message JSON. */
    public synchronized SignedCallback post(JsonNode message, Instant at) {
        String ts = Long.toString(at.getEpochSecond());
        String n = Long.toString(nonce++);
        String encrypt = crypto.encrypt(message.toString());
        Map<String, String> q = new LinkedHashMap<>();
        q.put("msg_signature", crypto.sign(ts, n, encrypt));
        q.put("timestamp", ts);
        q.put("nonce", n);
        String body = JSON.createObjectNode().put("encrypt", encrypt).toString();
        return new SignedCallback("POST", q, Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens the bot's reply: checks the envelope's signature and decrypts it. */
    public JsonNode open(String replyBody) {
        try {
            JsonNode env = JSON.readTree(replyBody);
            String enc = env.path("encrypt").asText();
            String expected = WxCrypto.signature(token, env.path("timestamp").asText(), env.path("nonce").asText(), enc);
            if (!expected.equals(env.path("msgsignature").asText())) {
                throw new AssertionError("reply signature does not verify: " + replyBody);
            }
            return JSON.readTree(crypto.decrypt(enc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

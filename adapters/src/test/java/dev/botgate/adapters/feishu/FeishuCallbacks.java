package dev.botgate.adapters.feishu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.SignedCallback;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds Feishu event-subscription requests as Feishu sends them: plain with the verification token, or encrypted
 * and signed when an Encrypt Key is given. Public for the gateway's end-to-end tests.
 */
public final class FeishuCallbacks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String verificationToken;
    private final Optional<String> encryptKey;
    private final String appId;

    /** For an app with these event settings. */
    public FeishuCallbacks(String appId, String verificationToken, Optional<String> encryptKey) {
        this.appId = appId;
        this.verificationToken = verificationToken;
        this.encryptKey = encryptKey;
    }

    /** The challenge Feishu posts when the Request URL is saved (encrypted when a key is set, unsigned). */
    public SignedCallback challenge(String challenge, Instant at) {
        String json = JSON.createObjectNode().put("challenge", challenge).put("token", verificationToken)
                .put("type", "url_verification").toString();
        return wrap(json, at, false);
    }

    /**
     * An {@code im.message.receive_v1} event.
     *
     * @param eventId     header.event_id
     * @param chatType    {@code p2p} or {@code group}
     * @param messageType {@code text}, {@code post}, {@code image}, …
     * @param content     the message content JSON string, e.g. {@code {"text":"@_user_1 hi"}}
     * @param mentions    the {@code mentions} array (may be empty)
     */
    public SignedCallback message(String eventId, String chatId, String chatType, String senderOpenId,
                                  String messageId, String messageType, String content, ArrayNode mentions,
                                  Instant createdAt, Instant at) {
        ObjectNode env = JSON.createObjectNode().put("schema", "2.0");
        env.putObject("header").put("event_id", eventId).put("event_type", "im.message.receive_v1")
                .put("create_time", Long.toString(at.toEpochMilli())).put("token", verificationToken)
                .put("app_id", appId).put("tenant_key", "tenant-1");
        ObjectNode event = env.putObject("event");
        ObjectNode sender = event.putObject("sender");
        sender.putObject("sender_id").put("open_id", senderOpenId).put("union_id", "on_" + senderOpenId)
                .put("user_id", "u-" + senderOpenId);
        sender.put("sender_type", "user").put("tenant_key", "tenant-1");
        ObjectNode msg = event.putObject("message");
        msg.put("message_id", messageId).put("create_time", Long.toString(createdAt.toEpochMilli()))
                .put("chat_id", chatId).put("chat_type", chatType).put("message_type", messageType)
                .put("content", content);
        msg.set("mentions", mentions);
        return wrap(env.toString(), at, true);
    }

    /** A text message in a p2p chat. */
    public SignedCallback p2pText(String eventId, String senderOpenId, String messageId, String text, Instant at) {
        return message(eventId, "oc_p2p_" + senderOpenId, "p2p", senderOpenId, messageId, "text",
                JSON.createObjectNode().put("text", text).toString(), JSON.createArrayNode(), at, at);
    }

    /** A mention entry for the {@code mentions} array. */
    public static ObjectNode mention(String key, String openId, String name) {
        ObjectNode m = JSON.createObjectNode().put("key", key).put("name", name).put("tenant_key", "tenant-1");
        m.putObject("id").put("open_id", openId).put("union_id", "on_x").put("user_id", "");
        return m;
    }

    /** An empty JSON array, to add mentions to. */
    public static ArrayNode mentions(ObjectNode... entries) {
        ArrayNode a = JSON.createArrayNode();
        for (ObjectNode e : entries) {
            a.add(e);
        }
        return a;
    }

    /** Wraps a plaintext event: encrypted and (when {@code sign}) signed if a key is set. */
    public SignedCallback wrap(String eventJson, Instant at, boolean sign) {
        String body = eventJson;
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json; charset=utf-8");
        if (encryptKey.isPresent()) {
            byte[] iv = new byte[16];
            RANDOM.nextBytes(iv);
            body = JSON.createObjectNode().put("encrypt", FeishuCrypto.encrypt(encryptKey.get(), iv, eventJson))
                    .toString();
            if (sign) {
                String ts = Long.toString(at.getEpochSecond());
                String nonce = Long.toString(RANDOM.nextLong(1L << 40));
                h.put("X-Lark-Request-Timestamp", ts);
                h.put("X-Lark-Request-Nonce", nonce);
                h.put("X-Lark-Signature", FeishuCrypto.signature(ts, nonce, encryptKey.get(),
                        body.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return new SignedCallback("POST", Map.of(), h, body.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.botgate.adapters.wxcrypto;

import static dev.botgate.adapters.CallbackResult.Reply.refuse;

import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.CallbackRequest;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.HttpReply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The two steps every encrypted WeChat-family callback starts with, for the products whose envelope differs (XML for
 * 微信客服, JSON for the 智能机器人): the URL-verification GET, and checking and opening a POST's {@code Encrypt}.
 * Refusals name the config key to check ({@code section.token}, …), never a secret.
 */
public final class WxCallback {
    private WxCallback() {
    }

    /**
     * A POST opened: the decrypted plaintext, or the refusal to answer with.
     *
     * @param plaintext the decrypted message; "" when refused
     * @param refusal   present when the request must be refused
     */
    public record Opened(String plaintext, Optional<CallbackResult.Reply> refusal) {
    }

    /** Answers the verification GET: signature over token, timestamp, nonce, echostr; the decrypted echostr. */
    public static CallbackResult.Reply verifyUrl(CallbackRequest request, WxCrypto crypto, AdapterOptions options,
                                                 String section) {
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
            return refuse(401, "bad signature: check " + section + ".token");
        }
        try {
            return new CallbackResult.Reply(HttpReply.text(200, crypto.decrypt(q.get("echostr"))), "url verification");
        } catch (WxCryptoException e) {
            return failure(e, section);
        }
    }

    /**
     * Checks a POST's signature over the {@code Encrypt} value that {@code encryptField} finds in the body, and
     * decrypts it.
     *
     * @param encryptField the body's Encrypt value (XML element or JSON field); empty when the body is malformed
     */
    public static Opened open(CallbackRequest request, WxCrypto crypto, AdapterOptions options, String section,
                              Function<byte[], Optional<String>> encryptField) {
        Optional<String> sig = request.queryParam("msg_signature");
        Optional<String> ts = request.queryParam("timestamp");
        Optional<String> nonce = request.queryParam("nonce");
        if (sig.isEmpty() || ts.isEmpty() || nonce.isEmpty()) {
            return refused(refuse(400, "missing query parameter msg_signature, timestamp or nonce"));
        }
        Optional<CallbackResult.Reply> stale = CallbackResult.Reply.staleTimestamp(ts.get(), options);
        if (stale.isPresent()) {
            return refused(stale.get());
        }
        Optional<String> encrypt;
        try {
            encrypt = encryptField.apply(request.body());
        } catch (RuntimeException e) {
            encrypt = Optional.empty();
        }
        if (encrypt.isEmpty() || encrypt.get().isBlank()) {
            return refused(refuse(400, "malformed body: no encrypt value"));
        }
        if (!crypto.verify(sig.get(), ts.get(), nonce.get(), encrypt.get())) {
            return refused(refuse(401, "bad signature: check " + section + ".token"));
        }
        try {
            return new Opened(crypto.decrypt(encrypt.get()), Optional.empty());
        } catch (WxCryptoException e) {
            return refused(failure(e, section));
        }
    }

    private static Opened refused(CallbackResult.Reply reply) {
        return new Opened("", Optional.of(reply));
    }

    private static CallbackResult.Reply failure(WxCryptoException e, String section) {
        if (e.reason() == WxCryptoException.Reason.WRONG_RECEIVER) {
            return refuse(401, "message is for another CorpID: check " + section + ".corp-id");
        }
        return refuse(400, "cannot decrypt: " + e.getMessage() + "; check " + section + ".encoding-aes-key");
    }
}

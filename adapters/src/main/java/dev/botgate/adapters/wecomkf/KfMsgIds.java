package dev.botgate.adapters.wecomkf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Our own {@code msgid} for {@code kf/send_msg}: derived from the customer's message id and the part's number, so a
 * send retried (inside one call, by the gateway's send retries, or after a restart) carries the same id and WeCom does
 * not deliver it twice. WeCom allows at most 32 bytes of {@code [0-9a-zA-Z_-]}: URL-safe Base64 of a SHA-256 is
 * exactly that alphabet.
 */
final class KfMsgIds {
    static final int MAX_LENGTH = 32;

    private KfMsgIds() {
    }

    /** The id of part {@code part} (0-based) of the answer to {@code inboundMsgId}. */
    static String derive(String inboundMsgId, int part) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((inboundMsgId + "#" + part).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, MAX_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}

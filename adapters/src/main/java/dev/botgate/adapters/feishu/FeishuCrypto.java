package dev.botgate.adapters.feishu;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Feishu event crypto: key = SHA-256(Encrypt Key); payload = Base64(IV(16) ‖ AES-256-CBC(PKCS#7/16 padded JSON)).
 * Signature = hex SHA-256(timestamp + nonce + Encrypt Key + raw body), over bytes.
 */
final class FeishuCrypto {
    private FeishuCrypto() {
    }

    static final class BadPayload extends Exception {
        private static final long serialVersionUID = 1L;

        BadPayload(String message) {
            super(message, null, false, false);
        }
    }

    static String decrypt(String encryptKey, String base64) throws BadPayload {
        byte[] all;
        try {
            all = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new BadPayload("encrypt is not Base64");
        }
        if (all.length < 32 || all.length % 16 != 0) {
            throw new BadPayload("encrypt has a bad length");
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(sha256(encryptKey.getBytes(StandardCharsets.UTF_8)), "AES"),
                    new IvParameterSpec(all, 0, 16));
            plain = c.doFinal(all, 16, all.length - 16);
        } catch (GeneralSecurityException e) {
            throw new BadPayload("AES decryption failed");
        }
        int pad = plain[plain.length - 1] & 0xff;
        if (pad < 1 || pad > 16) {
            throw new BadPayload("bad padding (wrong encrypt key?)");
        }
        for (int i = plain.length - pad; i < plain.length; i++) {
            if ((plain[i] & 0xff) != pad) {
                throw new BadPayload("bad padding (wrong encrypt key?)");
            }
        }
        return new String(plain, 0, plain.length - pad, StandardCharsets.UTF_8);
    }

    static String encrypt(String encryptKey, byte[] iv, String json) {
        byte[] msg = json.getBytes(StandardCharsets.UTF_8);
        int pad = 16 - msg.length % 16;
        byte[] padded = Arrays.copyOf(msg, msg.length + pad);
        Arrays.fill(padded, msg.length, padded.length, (byte) pad);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sha256(encryptKey.getBytes(StandardCharsets.UTF_8)), "AES"),
                    new IvParameterSpec(iv));
            byte[] ct = c.doFinal(padded);
            byte[] out = new byte[16 + ct.length];
            System.arraycopy(iv, 0, out, 0, 16);
            System.arraycopy(ct, 0, out, 16, ct.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC/NoPadding unavailable", e);
        }
    }

    static String signature(String timestamp, String nonce, String encryptKey, byte[] body) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    static boolean sameText(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}

package dev.botgate.adapters.wxcrypto;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The WeChat-family message crypto (WeCom, Official Account safe mode) for one token, EncodingAESKey and receive id.
 *
 * <p>AESKey = Base64(EncodingAESKey + "="), 32 bytes; IV = its first 16 bytes; AES-256-CBC without cipher padding
 * over {@code random(16) ‖ uint32be(len(msg)) ‖ msg ‖ receiveId}, PKCS#7-padded to a multiple of 32 bytes.
 * Signature = lowercase hex SHA-1 of the sorted, concatenated {@code token, timestamp, nonce[, Encrypt]}.
 */
public final class WxCrypto {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]{43}");
    private static final int BLOCK = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;
    private final byte[] aesKey;
    private final byte[] receiveId;

    /**
     * @param token          the callback Token
     * @param encodingAesKey the 43-character EncodingAESKey
     * @param receiveId      CorpID (WeCom) or AppID (Official Account); "" skips the check
     * @throws IllegalArgumentException if the key is not 43 letters and digits
     */
    public WxCrypto(String token, String encodingAesKey, String receiveId) {
        this.token = Objects.requireNonNull(token, "token");
        if (!validKey(encodingAesKey)) {
            throw new IllegalArgumentException("EncodingAESKey must be 43 letters and digits");
        }
        this.aesKey = Base64.getDecoder().decode(encodingAesKey + "=");
        this.receiveId = receiveId.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a string has the shape of an EncodingAESKey (43 of [A-Za-z0-9]). */
    public static boolean validKey(String encodingAesKey) {
        return encodingAesKey != null && KEY.matcher(encodingAesKey).matches();
    }

    /** Lowercase hex SHA-1 of the parts sorted lexicographically and concatenated. */
    public static String signature(String... parts) {
        String[] sorted = parts.clone();
        Arrays.sort(sorted);
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            for (String p : sorted) {
                sha1.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 missing from the JDK", e);
        }
    }

    /** Constant-time comparison of two signatures (case-insensitive hex). */
    public static boolean sameSignature(String expected, String given) {
        return MessageDigest.isEqual(expected.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** Checks {@code signature} over token, timestamp, nonce and the extra parts (Encrypt, echostr); constant time. */
    public boolean verify(String signature, String timestamp, String nonce, String... extra) {
        String[] parts = new String[3 + extra.length];
        parts[0] = token;
        parts[1] = timestamp;
        parts[2] = nonce;
        System.arraycopy(extra, 0, parts, 3, extra.length);
        return sameSignature(signature(parts), signature);
    }

    /** The signature this crypto's token gives for timestamp, nonce and the extra parts. */
    public String sign(String timestamp, String nonce, String... extra) {
        String[] parts = new String[3 + extra.length];
        parts[0] = token;
        parts[1] = timestamp;
        parts[2] = nonce;
        System.arraycopy(extra, 0, parts, 3, extra.length);
        return signature(parts);
    }

    /**
     * Decrypts a Base64 ciphertext (Encrypt or echostr) and checks the receive id.
     *
     * @throws WxCryptoException when the Base64, padding, length or receive id is wrong
     */
    public String decrypt(String base64) {
        byte[] cipherText;
        try {
            cipherText = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new WxCryptoException("ciphertext is not Base64");
        }
        if (cipherText.length == 0 || cipherText.length % 16 != 0) {
            throw new WxCryptoException("ciphertext length is not a multiple of the AES block");
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new IvParameterSpec(aesKey, 0, 16));
            plain = c.doFinal(cipherText);
        } catch (GeneralSecurityException e) {
            throw new WxCryptoException("AES decryption failed");
        }
        int pad = plain[plain.length - 1] & 0xff;
        if (pad < 1 || pad > BLOCK || pad > plain.length) {
            throw new WxCryptoException("bad padding (wrong EncodingAESKey?)");
        }
        for (int i = plain.length - pad; i < plain.length; i++) {
            if ((plain[i] & 0xff) != pad) {
                throw new WxCryptoException("bad padding (wrong EncodingAESKey?)");
            }
        }
        int end = plain.length - pad;
        if (end < 20) {
            throw new WxCryptoException("plaintext too short");
        }
        long msgLen = ByteBuffer.wrap(plain, 16, 4).getInt() & 0xffffffffL;
        if (msgLen > end - 20) {
            throw new WxCryptoException("message length field exceeds the plaintext");
        }
        int msgEnd = 20 + (int) msgLen;
        byte[] id = Arrays.copyOfRange(plain, msgEnd, end);
        if (receiveId.length > 0 && !MessageDigest.isEqual(id, receiveId)) {
            throw new WxCryptoException(WxCryptoException.Reason.WRONG_RECEIVER,
                    "receive id does not match this app (message for another CorpID/AppID)");
        }
        return new String(plain, 20, (int) msgLen, StandardCharsets.UTF_8);
    }

    /** Encrypts with a fresh random prefix. */
    public String encrypt(String plaintext) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return encrypt(random, plaintext);
    }

    /** Encrypts with the given 16-byte random prefix (deterministic; for test vectors). */
    public String encrypt(byte[] random16, String plaintext) {
        if (random16.length != 16) {
            throw new IllegalArgumentException("random prefix must be 16 bytes");
        }
        byte[] msg = plaintext.getBytes(StandardCharsets.UTF_8);
        int len = 20 + msg.length + receiveId.length;
        int pad = BLOCK - (len % BLOCK);
        ByteBuffer b = ByteBuffer.allocate(len + pad);
        b.put(random16).putInt(msg.length).put(msg).put(receiveId);
        for (int i = 0; i < pad; i++) {
            b.put((byte) pad);
        }
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new IvParameterSpec(aesKey, 0, 16));
            return Base64.getEncoder().encodeToString(c.doFinal(b.array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC/NoPadding unavailable", e);
        }
    }

    /**
     * The encrypted passive-reply envelope
     * {@code <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>} for a plaintext reply.
     */
    public String replyEnvelope(String plaintext, String timestamp, String nonce) {
        return envelope(encrypt(plaintext), timestamp, nonce);
    }

    /** The envelope for an already encrypted text (the layout of the official samples). */
    public String envelope(String encrypt, String timestamp, String nonce) {
        return "<xml>\n<Encrypt><![CDATA[" + encrypt + "]]></Encrypt>\n<MsgSignature><![CDATA["
                + sign(timestamp, nonce, encrypt) + "]]></MsgSignature>\n<TimeStamp>" + timestamp
                + "</TimeStamp>\n<Nonce><![CDATA[" + nonce + "]]></Nonce>\n</xml>";
    }

    /** A random numeric nonce for replies. */
    public static String nonce() {
        return Long.toString(1_000_000_000L + RANDOM.nextLong(9_000_000_000L));
    }

    @Override
    public String toString() {
        return "WxCrypto[****]";
    }
}

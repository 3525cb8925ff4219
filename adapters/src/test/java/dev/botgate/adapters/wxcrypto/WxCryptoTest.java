package dev.botgate.adapters.wxcrypto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.Vectors;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

/** The WeChat-family crypto against every WeCom and Official Account vector in vectors.json. */
public class WxCryptoTest {

    private static WxCrypto crypto(JsonNode v) {
        return new WxCrypto(v.path("token").asText(), v.path("encoding_aes_key").asText(),
                v.path("receive_id").asText());
    }

    @DataProvider
    public Object[][] urlVerify() {
        return Vectors.rows("wecom", "url_verification_get");
    }

    @Test(dataProvider = "urlVerify")
    public void urlVerificationVectorsVerifyAndDecrypt(String id, JsonNode v) {
        WxCrypto c = crypto(v);
        String echostr = v.path("echostr").asText();
        assertTrue(c.verify(v.path("msg_signature").asText(), v.path("timestamp").asText(), v.path("nonce").asText(),
                echostr), id + ": signature should verify");
        assertEquals(c.decrypt(echostr), v.path("expected_plaintext").asText(), id + ": echostr plaintext");
        if (v.has("echostr_url_encoded")) {
            assertEquals(URLDecoder.decode(v.path("echostr_url_encoded").asText(), StandardCharsets.UTF_8), echostr,
                    id + ": one URL-decoding gives the echostr");
        }
        if (v.has("negative_case")) {
            assertFalse(c.verify(v.path("msg_signature").asText(), v.path("timestamp").asText(),
                    v.path("negative_case").path("nonce").asText(), echostr), id + ": changed nonce must fail");
        }
    }

    @DataProvider
    public Object[][] decryptPost() {
        List<Object[]> rows = new ArrayList<>(List.of(Vectors.rows("wecom", "decrypt_post")));
        rows.addAll(List.of(Vectors.rows("wechat_mp", "decrypt_post")));
        rows.addAll(List.of(Vectors.rows("wecom", "decrypt_post_json")));
        return rows.toArray(Object[][]::new);
    }

    @Test(dataProvider = "decryptPost")
    public void postVectorsVerifyAndDecrypt(String id, JsonNode v) {
        WxCrypto c = crypto(v);
        String encrypt = v.path("encrypt").asText();
        assertTrue(c.verify(v.path("msg_signature").asText(), v.path("timestamp").asText(), v.path("nonce").asText(),
                encrypt), id + ": msg_signature over Encrypt");
        assertEquals(c.decrypt(encrypt), v.path("expected_plaintext").asText(), id + ": plaintext");
        if (v.has("post_body_xml")) {
            assertEquals(WxXml.parse(v.path("post_body_xml").asText()).text("Encrypt"), encrypt,
                    id + ": Encrypt element of the POST body");
        }
        if (v.has("derived_url_signature")) {
            assertEquals(WxCrypto.signature(v.path("token").asText(), v.path("timestamp").asText(),
                    v.path("nonce").asText()), v.path("derived_url_signature").asText(), id + ": URL signature");
        }
    }

    @Test
    public void deterministicReplyVectorGivesTheExactEnvelope() {
        JsonNode v = Vectors.of("wecom", "encrypt_reply_deterministic").get(0);
        WxCrypto c = crypto(v);
        byte[] random = v.path("random16").asText().getBytes(StandardCharsets.US_ASCII);
        String encrypt = c.encrypt(random, v.path("plaintext").asText());
        assertEquals(encrypt, v.path("expected_encrypt").asText(), "ciphertext");
        assertEquals(c.sign(v.path("timestamp").asText(), v.path("nonce").asText(), encrypt),
                v.path("expected_msg_signature").asText(), "reply signature");
        assertEquals(c.envelope(encrypt, v.path("timestamp").asText(), v.path("nonce").asText()),
                v.path("expected_reply_xml").asText(), "reply XML");
        assertEquals(c.decrypt(encrypt), v.path("plaintext").asText(), "round trip");
    }

    @DataProvider
    public Object[][] mpEncrypt() {
        return Vectors.rows("wechat_mp", "aes_encrypt_deterministic");
    }

    @Test(dataProvider = "mpEncrypt")
    public void officialAccountEncryptVectors(String id, JsonNode v) {
        WxCrypto c = crypto(v);
        String encrypt = c.encrypt(v.path("random16").asText().getBytes(StandardCharsets.US_ASCII),
                v.path("plaintext").asText());
        assertEquals(encrypt, v.path("expected_encrypt").asText(), id + ": ciphertext");
        assertEquals(c.decrypt(encrypt), v.path("plaintext").asText(), id + ": round trip");
        assertEquals(c.sign(v.path("timestamp").asText(), v.path("nonce").asText(), encrypt),
                v.path("derived_msg_signature").asText(), id + ": msg_signature");
    }

    @DataProvider
    public Object[][] plainSignature() {
        return Vectors.rows("wechat_mp", "plain_signature");
    }

    @Test(dataProvider = "plainSignature")
    public void plainSignatureVectors(String id, JsonNode v) {
        WxCrypto c = new WxCrypto(v.path("token").asText(), "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "");
        assertTrue(c.verify(v.path("expected_signature").asText(), v.path("timestamp").asText(),
                v.path("nonce").asText()), id + ": signature");
        if (v.has("negative_case")) {
            assertFalse(c.verify(v.path("negative_case").path("signature").asText(), v.path("timestamp").asText(),
                    v.path("nonce").asText()), id + ": negative case");
        }
    }

    @Test
    public void sortedSha1Vector() {
        JsonNode v = Vectors.of("wechat_family", "sha1_sorted_concat").get(0);
        List<String> in = new ArrayList<>();
        v.path("inputs").forEach(n -> in.add(n.asText()));
        assertEquals(WxCrypto.signature(in.toArray(String[]::new)), v.path("expected_gen").asText());
    }

    @Test
    public void wrongReceiveIdIsRefused() {
        JsonNode v = Vectors.of("wecom", "decrypt_post").get(0);
        WxCrypto other = new WxCrypto(v.path("token").asText(), v.path("encoding_aes_key").asText(), "wwSomeoneElse");
        WxCryptoException e = expectThrows(WxCryptoException.class, () -> other.decrypt(v.path("encrypt").asText()));
        assertEquals(e.reason(), WxCryptoException.Reason.WRONG_RECEIVER, "reason");
    }

    @Test
    public void fullBlockPaddingRoundTrips() {
        WxCrypto c = new WxCrypto("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0123456789abcdef");
        // 20 + 12 + 18 = 50; with 14 more bytes of msg the length is 64, a multiple of 32: a whole 32-byte pad block.
        String msg = "x".repeat(26);
        String enc = c.encrypt(new byte[16], msg);
        assertEquals(java.util.Base64.getDecoder().decode(enc).length, 96, "64 bytes of data + 32 of padding");
        assertEquals(c.decrypt(enc), msg);
    }

    @Test
    public void malformedCiphertextsAreRefused() {
        WxCrypto c = new WxCrypto("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "");
        assertEquals(expectThrows(WxCryptoException.class, () -> c.decrypt("not base64 !!")).reason(),
                WxCryptoException.Reason.MALFORMED);
        expectThrows(WxCryptoException.class, () -> c.decrypt("AAAA"));
        WxCrypto otherKey = new WxCrypto("t", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "");
        // Decrypting with another key leaves random padding bytes: refused (probability of passing ~1/2^11 here,
        // since the last pad byte must be 1..32 and all pad bytes equal; this fixed input fails deterministically).
        expectThrows(WxCryptoException.class, () -> otherKey.decrypt(c.encrypt(new byte[16], "hello")));
    }

    @Test
    public void keyShapeIsChecked() {
        assertFalse(WxCrypto.validKey("short"));
        assertFalse(WxCrypto.validKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF+"));
        assertTrue(WxCrypto.validKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"));
        expectThrows(IllegalArgumentException.class, () -> new WxCrypto("t", "short", ""));
    }
}

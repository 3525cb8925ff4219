package dev.botgate.adapters.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import dev.botgate.adapters.wechat.WeChatCallbacks.Mode;
import dev.botgate.adapters.wxcrypto.WxCrypto;
import dev.botgate.adapters.wxcrypto.WxXml;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

/** The Official Account adapter: vectors, the three modes, passive replies and the customer-service API. */
public class WeChatAdapterTest {
    static final String APP = "wx2c2769f8efd9abc2";
    static final String SECRET = "oa-secret-DO-NOT-LOG";
    static final String TOKEN = "spamtest";
    static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    static final String GH = "gh_10f6c3c3ac5a";
    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    private FakeWeChatApi api;
    private TestClock clock;
    private WeChatCallbacks wechat;

    @BeforeMethod
    public void start() {
        api = FakeWeChatApi.start(APP, SECRET);
        clock = new TestClock(NOW);
        wechat = new WeChatCallbacks(TOKEN, KEY, APP, GH);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        api.close();
    }

    private WeChatAdapter adapter(boolean verified, Optional<String> key) {
        return new WeChatAdapter("oa", new WeChatConfig(APP, SECRET, TOKEN, key, verified, api.baseUrl()),
                clock.options());
    }

    private static CallbackResult.Inbound inbound(CallbackResult r) {
        if (r instanceof CallbackResult.Inbound in) {
            return in;
        }
        fail("expected an inbound message, got " + r);
        throw new AssertionError();
    }

    private static int status(CallbackResult r) {
        return r instanceof CallbackResult.Reply reply ? reply.response().status() : 0;
    }

    @Test
    public void documentedPlainSignatureVectorVerifiesTheUrlAndEchoesEchostrAsIs() {
        for (JsonNode v : Vectors.of("wechat_mp", "plain_signature")) {
            clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
            WeChatAdapter a = new WeChatAdapter("oa", new WeChatConfig(APP, SECRET, v.path("token").asText(),
                    Optional.empty(), false, api.baseUrl()), clock.options());
            SignedCallback get = new SignedCallback("GET", Map.of("signature", v.path("expected_signature").asText(),
                    "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText(),
                    "echostr", "7436423541785371011"), Map.of(), new byte[0]);
            CallbackResult.Reply r = (CallbackResult.Reply) a.handle(get.toRequest(clock.instant()));
            assertEquals(r.response().bodyText(), "7436423541785371011", v.path("id").asText());
            assertEquals(status(a.handle(get.withQuery("signature", "0".repeat(40)).toRequest(clock.instant()))),
                    401, "tampered signature");
            a.close();
        }
    }

    @Test
    public void officialSafeModeVectorDecodesToText() {
        JsonNode v = Vectors.of("wechat_mp", "decrypt_post").get(0);
        clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
        try (WeChatAdapter a = adapter(false, Optional.of(v.path("encoding_aes_key").asText()))) {
            String body = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA["
                    + v.path("encrypt").asText() + "]]></Encrypt></xml>";
            SignedCallback post = new SignedCallback("POST", Map.of("signature",
                    v.path("derived_url_signature").asText(), "timestamp", v.path("timestamp").asText(), "nonce",
                    v.path("nonce").asText(), "encrypt_type", "aes", "msg_signature",
                    v.path("msg_signature").asText()), Map.of(), body.getBytes(StandardCharsets.UTF_8));
            CallbackResult.Inbound in = inbound(a.handle(post.toRequest(clock.instant())));
            assertEquals(in.message().text(), "abcdteT");
            assertEquals(in.message().messageId(), "6054768590064713728");
            assertEquals(in.message().replyTo(), new ReplyTo.WeChatUser("oyORnuP8q7ou2gfYjqLzSIWZf0rs", GH,
                    ReplyTo.WeChatUser.Crypto.CURRENT_KEY));
        }
    }

    @Test
    public void allThreeModesAreAccepted() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            for (Mode mode : Mode.values()) {
                InboundMessage m = inbound(a.handle(wechat.text("oUser1", "营业时间？", 100 + mode.ordinal(), NOW, mode)
                        .toRequest(NOW))).message();
                assertEquals(m.text(), "营业时间？", mode.name());
                assertEquals(((ReplyTo.WeChatUser) m.replyTo()).encrypted(), mode != Mode.PLAIN, mode.name());
            }
        }
    }

    @Test
    public void compatibleModeTrustsOnlyTheEncryptedCopy() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            SignedCallback c = wechat.text("oUser1", "real question", 1, NOW, Mode.COMPATIBLE);
            String forged = c.bodyText().replace("real question", "forged plaintext");
            assertEquals(inbound(a.handle(c.withBody(forged).toRequest(NOW))).message().text(), "real question");
        }
    }

    @Test
    public void badSignaturesAndStaleTimestampsAreRefused() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            SignedCallback plain = wechat.text("oUser1", "hi", 1, NOW, Mode.PLAIN);
            assertEquals(status(a.handle(plain.withQuery("signature", "0".repeat(40)).toRequest(NOW))), 401);
            SignedCallback safe = wechat.text("oUser1", "hi", 2, NOW, Mode.SAFE);
            assertEquals(status(a.handle(safe.withQuery("msg_signature", "0".repeat(40)).toRequest(NOW))), 401);
            assertEquals(status(a.handle(wechat.text("oUser1", "hi", 3, NOW.minus(Duration.ofMinutes(10)), Mode.SAFE)
                    .toRequest(NOW))), 403);
            assertEquals(status(a.handle(wechat.text("oUser1", "hi", 3, NOW.plus(Duration.ofMinutes(10)), Mode.SAFE)
                    .toRequest(NOW))), 403);
        }
    }

    @Test
    public void wrongAppIdIsRefused() {
        WeChatCallbacks other = new WeChatCallbacks(TOKEN, KEY, "wx0000000000000000", GH);
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            assertEquals(status(a.handle(other.text("oUser1", "hi", 1, NOW, Mode.SAFE).toRequest(NOW))), 401);
        }
    }

    @Test
    public void safeModeWithoutKeyAndMalformedBodiesAre400() {
        try (WeChatAdapter a = adapter(true, Optional.empty())) {
            assertEquals(status(a.handle(wechat.text("oUser1", "hi", 1, NOW, Mode.SAFE).toRequest(NOW))), 400);
            SignedCallback plain = wechat.text("oUser1", "hi", 1, NOW, Mode.PLAIN);
            assertEquals(status(a.handle(plain.withBody("<xml><Content>").toRequest(NOW))), 400);
            String xxe = "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><xml><ToUserName>gh"
                    + "</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>";
            assertEquals(status(a.handle(plain.withBody(xxe).toRequest(NOW))), 400, "XXE refused");
        }
    }

    @Test
    public void messageKindsAndDedupeKeys() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            InboundMessage sub = inbound(a.handle(wechat.event("oUser1", "subscribe", NOW, Mode.SAFE).toRequest(NOW)))
                    .message();
            assertEquals(sub.kind(), MessageKind.WELCOME);
            assertEquals(sub.messageId(), "oUser1:" + NOW.getEpochSecond(), "events dedupe by sender + CreateTime");
            InboundMessage voice = inbound(a.handle(wechat.voice("oUser1", "你们几点开门", 7, NOW, Mode.SAFE)
                    .toRequest(NOW))).message();
            assertEquals(voice.kind(), MessageKind.TEXT);
            assertEquals(voice.text(), "你们几点开门");
            InboundMessage mute = inbound(a.handle(wechat.voice("oUser1", "", 8, NOW, Mode.SAFE).toRequest(NOW)))
                    .message();
            assertEquals(mute.kind(), MessageKind.UNSUPPORTED, "voice without recognition");
            InboundMessage image = inbound(a.handle(wechat.message("<ToUserName>" + GH + "</ToUserName><FromUserName>"
                    + "oUser1</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><MsgId>9</MsgId>",
                    "oUser1", NOW, Mode.PLAIN).toRequest(NOW))).message();
            assertEquals(image.kind(), MessageKind.UNSUPPORTED);
            CallbackResult click = a.handle(wechat.event("oUser1", "CLICK", NOW, Mode.SAFE).toRequest(NOW));
            assertEquals(((CallbackResult.Reply) click).response().bodyText(), "success", "other events: success");
        }
    }

    @Test
    public void verifiedAccountAcksSuccessAndSendsThroughCustomerService() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            CallbackResult.Inbound in = inbound(a.handle(wechat.text("oUser1", "hi", 1, NOW, Mode.SAFE)
                    .toRequest(NOW)));
            assertEquals(in.ack(), new Ack.Now(HttpReply.text(200, "success")));
            a.send(in.message(), new OutboundText("**周一至周五** 9:00–18:00", List.of("营业时间"), "来源"));
            assertEquals(api.textsTo("oUser1"), List.of("周一至周五 9:00–18:00\n\n来源: 营业时间"));
            api.expireTokens();
            a.send(in.message(), OutboundText.of("again"));
            assertEquals(api.tokensIssued(), 2, "refreshed after 42001");
            assertEquals(api.textsTo("oUser1").size(), 2);
        }
    }

    @Test
    public void unverifiedAccountHoldsAndAnswersPassivelyEncrypted() {
        try (WeChatAdapter a = adapter(false, Optional.of(KEY))) {
            CallbackResult.Inbound in = inbound(a.handle(wechat.text("oUser1", "hi", 1, NOW, Mode.SAFE)
                    .toRequest(NOW)));
            Ack.Hold hold = (Ack.Hold) in.ack();
            assertEquals(hold.deliveries(), 3);
            assertTrue(hold.holdFor().compareTo(Duration.ofSeconds(5)) < 0, "held under WeChat's 5 s");
            assertEquals(hold.release().bodyText(), "success");
            HttpReply reply = a.passiveReply(in.message(), "您好，营业时间是9点到18点。").orElseThrow();
            WxXml envelope = WxXml.parse(reply.body());
            WxCrypto c = new WxCrypto(TOKEN, KEY, APP);
            assertTrue(c.verify(envelope.text("MsgSignature"), envelope.text("TimeStamp"), envelope.text("Nonce"),
                    envelope.text("Encrypt")), "reply signature verifies");
            WxXml inner = WxXml.parse(c.decrypt(envelope.text("Encrypt")));
            assertEquals(inner.text("ToUserName"), "oUser1");
            assertEquals(inner.text("FromUserName"), GH);
            assertEquals(inner.text("MsgType"), "text");
            assertEquals(inner.text("Content"), "您好，营业时间是9点到18点。");
            SendException e = expectThrows(SendException.class, () -> a.send(in.message(), OutboundText.of("x")));
            assertFalse(e.retryable(), "unverified accounts cannot send actively");
            assertTrue(api.server().requests().isEmpty(), "no API call");
        }
    }

    @Test
    public void plainModePassiveReplyIsPlainXmlAndLongAnswersSplit() {
        try (WeChatAdapter a = adapter(false, Optional.empty())) {
            InboundMessage m = inbound(a.handle(wechat.text("oUser1", "hi", 1, NOW, Mode.PLAIN).toRequest(NOW)))
                    .message();
            WxXml x = WxXml.parse(a.passiveReply(m, "ok").orElseThrow().body());
            assertEquals(x.text("Content"), "ok");
            String longAnswer = "退款会在审核通过后原路退回。".repeat(200);
            List<String> parts = a.passiveParts(OutboundText.of(longAnswer));
            assertTrue(parts.size() > 1);
            for (String p : parts) {
                assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= 2000);
                a.passiveReply(m, p);
            }
            expectThrows(IllegalArgumentException.class, () -> a.passiveReply(m, longAnswer));
        }
    }

    @Test
    public void ipWhitelistErrorIsAHealthError() {
        try (WeChatAdapter a = adapter(true, Optional.of(KEY))) {
            InboundMessage m = inbound(a.handle(wechat.text("oUser1", "hi", 1, NOW, Mode.SAFE).toRequest(NOW)))
                    .message();
            api.server().enqueue("/cgi-bin/token", Canned.json(200,
                    "{\"errcode\":40164,\"errmsg\":\"invalid ip 203.0.113.9, not in whitelist\"}"));
            SendException e = expectThrows(SendException.class, () -> a.send(m, OutboundText.of("x")));
            assertFalse(e.retryable());
            assertTrue(a.health().lastError().orElseThrow().contains("IP whitelist"));
            assertFalse(e.getMessage().contains(SECRET));
        }
    }

    @Test
    public void previousKeyStillDecryptsDuringAKeyChangeAndRepliesWithIt() {
        String newKey = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";
        WeChatConfig rotated = new WeChatConfig(APP, SECRET, TOKEN, Optional.of(newKey), Optional.of(KEY), false,
                api.baseUrl());
        try (WeChatAdapter a = new WeChatAdapter("oa", rotated, clock.options())) {
            InboundMessage old = inbound(a.handle(wechat.text("oUser1", "旧密钥", 1, NOW, Mode.SAFE).toRequest(NOW)))
                    .message();
            assertEquals(old.text(), "旧密钥");
            assertEquals(((ReplyTo.WeChatUser) old.replyTo()).crypto(), ReplyTo.WeChatUser.Crypto.PREVIOUS_KEY);
            WxXml env = WxXml.parse(a.passiveReply(old, "ok").orElseThrow().body());
            assertEquals(WxXml.parse(new WxCrypto(TOKEN, KEY, APP).decrypt(env.text("Encrypt"))).text("Content"), "ok",
                    "reply encrypted with the key the message came with");
            WeChatCallbacks current = new WeChatCallbacks(TOKEN, newKey, APP, GH);
            InboundMessage fresh = inbound(a.handle(current.text("oUser1", "新密钥", 2, NOW, Mode.SAFE).toRequest(NOW)))
                    .message();
            assertEquals(((ReplyTo.WeChatUser) fresh.replyTo()).crypto(), ReplyTo.WeChatUser.Crypto.CURRENT_KEY);
        }
        WeChatCallbacks stranger = new WeChatCallbacks(TOKEN, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", APP, GH);
        try (WeChatAdapter a = new WeChatAdapter("oa", rotated, clock.options())) {
            CallbackResult r = a.handle(stranger.text("oUser1", "x", 3, NOW, Mode.SAFE).toRequest(NOW));
            assertEquals(status(r), 400, "a third key is still refused");
        }
    }

    @Test
    public void fixtureReadsPassiveReplies() {
        try (WeChatFixture f = new WeChatFixture(false)) {
            var a = f.newAdapter("oa", clock.options());
            InboundMessage m = inbound(a.handle(f.text("oUser9", "在吗", 5, NOW).toRequest(NOW))).message();
            assertEquals(f.passiveText(a.passiveReply(m, "在的").orElseThrow().bodyText()), "在的");
            a.close();
        }
    }

    @Test
    public void configErrorsNameTheKey() {
        assertEquals(expectThrows(ConfigException.class, () -> WeChatConfig.from(Map.of("app-id", APP,
                "app-secret", "s", "token", TOKEN, "encoding-aes-key", "short"))).getMessage(),
                "wechat.encoding-aes-key: must be 43 characters");
        assertEquals(expectThrows(ConfigException.class, () -> WeChatConfig.from(Map.of("app-id", APP,
                "app-secret", "s", "token", TOKEN, "verified", "maybe"))).key(), "wechat.verified");
        assertEquals(expectThrows(ConfigException.class, () -> WeChatConfig.from(Map.of("app-id", "gh_123",
                "app-secret", "s", "token", TOKEN))).key(), "wechat.app-id");
        WeChatConfig c = WeChatConfig.from(Map.of("app-id", APP, "app-secret", SECRET, "token", TOKEN));
        assertFalse(c.verified(), "unverified by default");
        assertFalse(c.toString().contains(SECRET));
    }
}

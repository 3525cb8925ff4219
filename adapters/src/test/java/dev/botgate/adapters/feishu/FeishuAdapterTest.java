package dev.botgate.adapters.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.botgate.adapters.feishu.FeishuCallbacks.mention;
import static dev.botgate.adapters.feishu.FeishuCallbacks.mentions;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

/** The Feishu adapter: vectors, challenges, encrypted and signed events, messages, replies and card streams. */
public class FeishuAdapterTest {
    static final String APP = "cli_a1b2c3d4e5";
    static final String SECRET = "feishu-secret-DO-NOT-LOG";
    static final String VTOKEN = "v-token-123";
    static final String KEY = "encrypt-key-xyz";
    static final String BOT = "ou_bot000000001";
    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeFeishuApi api;
    private TestClock clock;
    private FeishuAdapter adapter;
    private final FeishuCallbacks feishu = new FeishuCallbacks(APP, VTOKEN, Optional.of(KEY));

    @BeforeMethod
    public void start() {
        api = FakeFeishuApi.start(APP, SECRET, BOT);
        clock = new TestClock(NOW);
        adapter = adapter(Optional.of(KEY), true);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        adapter.close();
        api.close();
    }

    private FeishuAdapter adapter(Optional<String> key, boolean mentionOnly) {
        return new FeishuAdapter("fs", new FeishuConfig(APP, SECRET, key, VTOKEN, api.baseUrl(), mentionOnly),
                clock.options());
    }

    private static InboundMessage inbound(CallbackResult r) {
        if (r instanceof CallbackResult.Inbound in) {
            return in.message();
        }
        fail("expected an inbound message, got " + r);
        throw new AssertionError();
    }

    private static CallbackResult.Reply reply(CallbackResult r) {
        if (r instanceof CallbackResult.Reply rep) {
            return rep;
        }
        fail("expected a reply, got " + r);
        throw new AssertionError();
    }

    private CallbackResult handle(SignedCallback c) {
        return adapter.handle(c.toRequest(clock.instant()));
    }

    @DataProvider
    public Object[][] decryptVectors() {
        return Vectors.rows("feishu", "decrypt");
    }

    @Test(dataProvider = "decryptVectors")
    public void decryptVectors(String id, JsonNode v) throws Exception {
        assertEquals(FeishuCrypto.decrypt(v.path("encrypt_key").asText(), v.path("encrypt").asText()),
                v.path("expected_plaintext").asText(), id);
    }

    @Test
    public void signatureVector() {
        JsonNode v = Vectors.of("feishu", "signature_derived").get(0);
        assertEquals(FeishuCrypto.signature(v.path("header_timestamp").asText(), v.path("header_nonce").asText(),
                v.path("encrypt_key").asText(), v.path("raw_body").asText().getBytes(StandardCharsets.UTF_8)),
                v.path("expected_signature").asText());
    }

    @Test
    public void sdkVectorThroughTheAdapterIsVerifiedDecryptedAndIgnoredAsNotAMessage() {
        JsonNode v = Vectors.of("feishu", "signature_derived").get(0);
        try (FeishuAdapter a = new FeishuAdapter("fs", new FeishuConfig(APP, SECRET,
                Optional.of(v.path("encrypt_key").asText()), "v", api.baseUrl(), true), clock.options())) {
            SignedCallback c = new SignedCallback("POST", Map.of(), Map.of("X-Lark-Request-Timestamp", "timestamp",
                    "X-Lark-Request-Nonce", "nonce", "X-Lark-Signature", v.path("expected_signature").asText()),
                    v.path("raw_body").asText().getBytes(StandardCharsets.UTF_8));
            CallbackResult.Reply r = reply(a.handle(c.toRequest(NOW)));
            assertEquals(r.response().status(), 200, r.reason());
            assertTrue(r.reason().startsWith("ignored"), r.reason());
            assertEquals(reply(a.handle(c.withHeader("X-Lark-Signature", "0".repeat(64)).toRequest(NOW)))
                    .response().status(), 401, "tampered signature");
        }
    }

    @Test
    public void encryptRoundTrip() throws Exception {
        String enc = FeishuCrypto.encrypt("k", new byte[16], "{\"a\":\"中文\"}");
        assertEquals(FeishuCrypto.decrypt("k", enc), "{\"a\":\"中文\"}");
        expectThrows(FeishuCrypto.BadPayload.class, () -> FeishuCrypto.decrypt("other", enc));
    }

    @Test
    public void plainChallengeChecksTheToken() throws Exception {
        try (FeishuAdapter plain = adapter(Optional.empty(), true)) {
            FeishuCallbacks noKey = new FeishuCallbacks(APP, VTOKEN, Optional.empty());
            CallbackResult.Reply r = reply(plain.handle(noKey.challenge("ch-1", NOW).toRequest(NOW)));
            assertEquals(JSON.readTree(r.response().bodyText()).path("challenge").asText(), "ch-1");
            FeishuCallbacks wrong = new FeishuCallbacks(APP, "wrong-token", Optional.empty());
            assertEquals(reply(plain.handle(wrong.challenge("ch-2", NOW).toRequest(NOW))).response().status(), 401);
        }
    }

    @Test
    public void encryptedChallengeIsAnswered() throws Exception {
        CallbackResult.Reply r = reply(handle(feishu.challenge("ch-enc", NOW)));
        assertEquals(r.response().status(), 200);
        assertEquals(JSON.readTree(r.response().bodyText()).path("challenge").asText(), "ch-enc");
    }

    @Test
    public void encryptedEventsMustBeSigned() {
        SignedCallback signed = feishu.p2pText("ev-1", "ou_alice", "om_1", "hi", NOW);
        inbound(handle(signed));
        SignedCallback unsigned = new SignedCallback("POST", Map.of(), Map.of(), signed.body());
        assertEquals(reply(handle(unsigned)).response().status(), 401, "unsigned event");
        assertEquals(reply(handle(signed.withHeader("X-Lark-Signature", "ab".repeat(32)))).response().status(), 401);
        String body = signed.bodyText();
        assertEquals(reply(handle(signed.withBody(body.replace("\"}", "A\"}")))).response().status(), 401,
                "body changed after signing");
    }

    @Test
    public void malformedBodiesAre400() {
        SignedCallback signed = feishu.p2pText("ev-1", "ou_alice", "om_1", "hi", NOW);
        FeishuCallbacks raw = new FeishuCallbacks(APP, VTOKEN, Optional.empty());
        try (FeishuAdapter plain = adapter(Optional.empty(), true)) {
            assertEquals(reply(plain.handle(raw.wrap("{oops", NOW, false).toRequest(NOW))).response().status(),
                    400);
            assertEquals(reply(plain.handle(raw.wrap("{\"encrypt\":\"x\"}", NOW, false).toRequest(NOW)))
                    .response().status(), 400, "encrypted body without a key configured");
        }
        String notBase64 = "{\"encrypt\":\"!!!\"}";
        String ts = signed.headers().get("X-Lark-Request-Timestamp");
        String nonce = signed.headers().get("X-Lark-Request-Nonce");
        SignedCallback bad = signed.withBody(notBase64).withHeader("X-Lark-Signature", FeishuCrypto.signature(ts,
                nonce, KEY, notBase64.getBytes(StandardCharsets.UTF_8)));
        assertEquals(reply(handle(bad)).response().status(), 400);
    }

    @Test
    public void p2pTextBecomesAMessage() {
        CallbackResult r = handle(feishu.p2pText("ev-42", "ou_alice", "om_42", "怎么退货？", NOW));
        InboundMessage m = inbound(r);
        assertEquals(m.text(), "怎么退货？");
        assertEquals(m.messageId(), "ev-42", "event_id is the dedupe key");
        assertEquals(m.conversationKey(), "oc_p2p_ou_alice");
        assertEquals(m.replyTo(), new ReplyTo.FeishuMessage("om_42", "oc_p2p_ou_alice"));
        assertEquals(((CallbackResult.Inbound) r).ack(), new dev.botgate.adapters.Ack.Now(HttpReply.json(200, "{}")),
                "acked with 200 {}");
    }

    @Test
    public void groupMessagesNeedAMentionOfThisBot() {
        String content = "{\"text\":\"@_user_1 你好，@_user_2 也在\"}";
        CallbackResult notMentioned = handle(feishu.message("ev-1", "oc_g", "group", "ou_alice", "om_1", "text",
                "{\"text\":\"大家好\"}", mentions(), NOW, NOW));
        assertTrue(reply(notMentioned).reason().contains("mention"));
        CallbackResult otherMentioned = handle(feishu.message("ev-2", "oc_g", "group", "ou_alice", "om_2", "text",
                "{\"text\":\"@_user_1 hi\"}", mentions(mention("@_user_1", "ou_bob", "Bob")), NOW, NOW));
        assertTrue(reply(otherMentioned).reason().contains("mention"), "a mention of someone else is not enough");
        InboundMessage m = inbound(handle(feishu.message("ev-3", "oc_g", "group", "ou_alice", "om_3", "text", content,
                mentions(mention("@_user_1", BOT, "Botgate"), mention("@_user_2", "ou_zhang", "张三")), NOW, NOW)));
        assertEquals(m.text(), "你好，@张三 也在", "own mention removed, others resolved");
        assertEquals(m.conversationKey(), "oc_g:ou_alice", "group conversations are per sender");
        assertEquals(api.server().requests("/open-apis/bot/v3/info").size(), 1, "bot identity asked once");
        try (FeishuAdapter all = adapter(Optional.of(KEY), false)) {
            inbound(all.handle(feishu.message("ev-4", "oc_g", "group", "ou_alice", "om_4", "text",
                    "{\"text\":\"大家好\"}", mentions(), NOW, NOW).toRequest(NOW)));
        }
    }

    @Test
    public void postMessagesAreFlattened() {
        String post = "{\"title\":\"退货问题\",\"content\":[[{\"tag\":\"at\",\"user_id\":\"@_user_1\",\"user_name\":"
                + "\"Botgate\"},{\"tag\":\"text\",\"text\":\" 请看\"},{\"tag\":\"a\",\"text\":\"订单\",\"href\":"
                + "\"https://x\"},{\"tag\":\"img\",\"image_key\":\"img_1\"}],[{\"tag\":\"text\",\"text\":\"能退吗？\"}]]}";
        InboundMessage m = inbound(handle(feishu.message("ev-p", "oc_p", "p2p", "ou_alice", "om_p", "post", post,
                mentions(mention("@_user_1", BOT, "Botgate")), NOW, NOW)));
        assertEquals(m.text(), "退货问题\n请看订单\n能退吗？");
        String wrapped = "{\"zh_cn\":{\"title\":\"\",\"content\":[[{\"tag\":\"text\",\"text\":\"你好\"}]]}}";
        assertEquals(FeishuText.flatten("post", wrapped), Optional.of("你好"), "locale-wrapped post");
    }

    @Test
    public void otherTypesStaleMessagesAndOtherEvents() {
        InboundMessage image = inbound(handle(feishu.message("ev-i", "oc_p", "p2p", "ou_alice", "om_i", "image",
                "{\"image_key\":\"img_x\"}", mentions(), NOW, NOW)));
        assertEquals(image.kind(), MessageKind.UNSUPPORTED);
        CallbackResult stale = handle(feishu.message("ev-s", "oc_p", "p2p", "ou_alice", "om_s", "text",
                "{\"text\":\"old\"}", mentions(), NOW.minus(Duration.ofHours(8)), NOW));
        assertTrue(reply(stale).reason().contains("retry window"));
        InboundMessage sixHours = inbound(handle(feishu.message("ev-6", "oc_p", "p2p", "ou_alice", "om_6", "text",
                "{\"text\":\"still answered\"}", mentions(), NOW.minus(Duration.ofHours(6)), NOW)));
        assertEquals(sixHours.text(), "still answered", "the 6 h retry is still inside the window");
        String other = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e\",\"event_type\":\"im.chat.member.bot."
                + "added_v1\",\"token\":\"" + VTOKEN + "\"},\"event\":{}}";
        assertEquals(reply(handle(feishu.wrap(other, NOW, true))).response().bodyText(), "{}");
    }

    @Test
    public void replyGoesToTheMessageWithCachedAndRefreshedToken() {
        InboundMessage m = inbound(handle(feishu.p2pText("ev-1", "ou_alice", "om_1", "q", NOW)));
        adapter.send(m, new OutboundText("**七天**内可退。", List.of("退货政策"), "来源"));
        adapter.send(m, OutboundText.of("second"));
        List<FakeFeishuApi.Sent> sent = api.sent();
        assertEquals(sent.get(0).replyTo(), "om_1");
        assertEquals(sent.get(0).msgType(), "text");
        assertEquals(sent.get(0).text(), "七天内可退。\n\n来源: 退货政策");
        assertFalse(sent.get(0).uuid().isEmpty(), "idempotency uuid");
        assertEquals(api.tokensIssued(), 1);
        api.expireTokens();
        adapter.send(m, OutboundText.of("third"));
        assertEquals(api.tokensIssued(), 2, "refreshed after 99991663");
        assertEquals(api.sent().size(), 3);
    }

    @Test
    public void sameAnswerRetriedKeepsItsUuid() {
        InboundMessage m = inbound(handle(feishu.p2pText("ev-1", "ou_alice", "om_1", "q", NOW)));
        adapter.send(m, OutboundText.of("same"));
        adapter.send(m, OutboundText.of("same"));
        assertEquals(api.sent().get(0).uuid(), api.sent().get(1).uuid(), "Feishu drops the second within an hour");
    }

    @Test
    public void rateLimitCodeIsRetriedWithBackoff() {
        InboundMessage m = inbound(handle(feishu.p2pText("ev-1", "ou_alice", "om_1", "q", NOW)));
        api.server().enqueue("/open-apis/im/v1/messages/om_1/reply",
                Canned.json(400, "{\"code\":99991400,\"msg\":\"request trigger frequency limit\"}"));
        adapter.send(m, OutboundText.of("after a rate limit"));
        assertEquals(api.sent().get(0).text(), "after a rate limit");
        assertEquals(clock.sleeps(), List.of(Duration.ofMillis(500)));
    }

    @Test
    public void streamSendsACardAndPatchesItAtMostTwiceASecond() {
        InboundMessage m = inbound(handle(feishu.p2pText("ev-1", "ou_alice", "om_1", "q", NOW)));
        ReplyStream s = adapter.open(m);
        s.update("退货");                  // t=0: card sent
        clock.advance(Duration.ofMillis(200));
        s.update("退货需要");               // folded
        clock.advance(Duration.ofMillis(400));
        s.update("退货需要七天内");          // t=0.6: patched
        clock.advance(Duration.ofMillis(100));
        s.finish(new OutboundText("退货需要七天内申请。", List.of("退货政策"), "来源")); // t=0.7: waits 0.4 s
        List<FakeFeishuApi.Sent> sent = api.sent();
        assertEquals(sent.size(), 3, "card + 2 patches: " + sent);
        assertEquals(sent.get(0).msgType(), "interactive");
        assertTrue(sent.get(0).content().path("config").path("update_multi").asBoolean(), "card is updatable");
        assertEquals(sent.get(0).content().path("elements").get(0).path("content").asText(), "退货");
        assertEquals(sent.get(1).content().path("elements").get(0).path("content").asText(), "退货需要七天内");
        assertEquals(sent.get(1).replyTo(), sent.get(0).messageId(), "patches target the card");
        JsonNode last = sent.get(2).content();
        assertEquals(last.path("elements").get(0).path("content").asText(), "退货需要七天内申请。");
        assertTrue(last.toString().contains("来源: 退货政策"), "sources in the final card");
        assertEquals(clock.sleeps(), List.of(Duration.ofMillis(400)));
    }

    @Test
    public void badAppSecretIsAHealthErrorWithoutTheSecret() {
        try (FeishuAdapter wrong = new FeishuAdapter("fs", new FeishuConfig(APP, "nope-secret", Optional.of(KEY),
                VTOKEN, api.baseUrl(), true), clock.options())) {
            InboundMessage m = inbound(wrong.handle(feishu.p2pText("ev-1", "ou_alice", "om_1", "q", NOW)
                    .toRequest(NOW)));
            var e = expectThrows(dev.botgate.adapters.SendException.class, () -> wrong.send(m, OutboundText.of("x")));
            assertFalse(e.retryable());
            assertFalse(e.getMessage().contains("nope-secret"));
            assertFalse(wrong.health().tokenOk());
        }
    }

    @Test
    public void configErrorsNameTheKey() {
        assertEquals(expectThrows(ConfigException.class, () -> FeishuConfig.from(Map.of("app-id", "x",
                "app-secret", "s", "verification-token", "v"))).key(), "feishu.app-id");
        assertEquals(expectThrows(ConfigException.class, () -> FeishuConfig.from(Map.of("app-id", APP,
                "app-secret", "s"))).key(), "feishu.verification-token");
        FeishuConfig c = FeishuConfig.from(Map.of("app-id", APP, "app-secret", SECRET, "verification-token", "v",
                "api-base", "https://open.larksuite.com/"));
        assertEquals(c.apiBase(), "https://open.larksuite.com", "Lark base, trailing slash dropped");
        assertTrue(c.answerInGroupsOnlyWhenMentioned());
        assertFalse(c.toString().contains(SECRET));
    }
}

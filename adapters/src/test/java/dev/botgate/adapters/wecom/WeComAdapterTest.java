package dev.botgate.adapters.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.RetryPolicy;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import dev.botgate.adapters.delivery.TextSplitter;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

/** The WeCom adapter against signed callbacks and a fake WeCom API over real HTTP. */
public class WeComAdapterTest {
    static final String CORP = "ww1436e0e65a779aee";
    static final String SECRET = "app-secret-DO-NOT-LOG";
    static final String TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
    static final String KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    private FakeWeComApi api;
    private TestClock clock;
    private WeComAdapter adapter;
    private WeComCallbacks callbacks;

    @BeforeMethod
    public void start() {
        api = FakeWeComApi.start(CORP, SECRET);
        clock = new TestClock(NOW);
        adapter = new WeComAdapter("support", config(CORP, api.baseUrl()), clock.options());
        callbacks = new WeComCallbacks(TOKEN, KEY, CORP);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        adapter.close();
        api.close();
    }

    static WeComConfig config(String corpId, String apiBase) {
        return new WeComConfig(corpId, "1000002", SECRET, TOKEN, KEY, apiBase);
    }

    private static InboundMessage inbound(CallbackResult r) {
        if (r instanceof CallbackResult.Inbound in) {
            return in.message();
        }
        fail("expected an inbound message, got " + r);
        throw new AssertionError();
    }

    private static int status(CallbackResult r) {
        return r instanceof CallbackResult.Reply reply ? reply.response().status() : 0;
    }

    @Test
    public void officialUrlVerificationVectorAnswersThePlaintextOnly() {
        JsonNode v = Vectors.of("wecom", "url_verification_get").stream()
                .filter(n -> n.path("id").asText().equals("wecom-2016-url-verify")).findFirst().orElseThrow();
        clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
        SignedCallback get = new SignedCallback("GET", Map.of("msg_signature", v.path("msg_signature").asText(),
                "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText(),
                "echostr", v.path("echostr").asText()), Map.of(), new byte[0]);
        CallbackResult r = adapter.handle(get.toRequest(clock.instant()));
        HttpReply reply = ((CallbackResult.Reply) r).response();
        assertEquals(reply.status(), 200);
        assertEquals(reply.bodyText(), v.path("expected_plaintext").asText(), "exactly the plaintext, no newline");
    }

    @Test
    public void officialPostVectorBecomesATextMessage() {
        JsonNode v = Vectors.of("wecom", "decrypt_post").stream()
                .filter(n -> n.path("id").asText().equals("wecom-2016-post-xml")).findFirst().orElseThrow();
        clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
        SignedCallback post = new SignedCallback("POST", Map.of("msg_signature", v.path("msg_signature").asText(),
                "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText()), Map.of(),
                v.path("post_body_xml").asText().getBytes(StandardCharsets.UTF_8));
        CallbackResult r = adapter.handle(post.toRequest(clock.instant()));
        InboundMessage m = inbound(r);
        assertEquals(m.text(), "你好");
        assertEquals(m.senderId(), "ChenJiaShun");
        assertEquals(m.messageId(), "1456453720", "MsgId is the dedupe key");
        assertEquals(m.kind(), MessageKind.TEXT);
        assertEquals(m.replyTo(), new ReplyTo.WeComUser("ChenJiaShun"));
        Ack ack = ((CallbackResult.Inbound) r).ack();
        assertEquals(ack, new Ack.Now(HttpReply.text(200, "")), "WeCom is acknowledged with an empty 200");
    }

    @Test
    public void echostrWhosePlusSignsWereDecodedAsSpacesStillVerifies() {
        JsonNode v = Vectors.of("wecom", "url_verification_get").stream()
                .filter(n -> n.path("id").asText().equals("wecom-2014-url-verify")).findFirst().orElseThrow();
        clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
        String echostr = v.path("echostr").asText();
        assertTrue(echostr.contains("+"), "vector has a '+'");
        try (WeComAdapter a = new WeComAdapter("support", new WeComConfig(v.path("receive_id").asText(), "1",
                SECRET, v.path("token").asText(), v.path("encoding_aes_key").asText(), api.baseUrl()),
                clock.options())) {
            SignedCallback get = new SignedCallback("GET", Map.of("msg_signature", v.path("msg_signature").asText(),
                    "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText(),
                    "echostr", echostr.replace('+', ' ')), Map.of(), new byte[0]);
            CallbackResult r = a.handle(get.toRequest(clock.instant()));
            assertEquals(((CallbackResult.Reply) r).response().bodyText(), v.path("expected_plaintext").asText());
        }
    }

    @Test
    public void generatedUrlVerificationRoundTrips() {
        CallbackResult r = adapter.handle(callbacks.urlVerification("8731582375982", NOW).toRequest(NOW));
        assertEquals(((CallbackResult.Reply) r).response().bodyText(), "8731582375982");
    }

    @Test
    public void tamperedSignatureIsRefusedWith401() {
        SignedCallback good = callbacks.text("zhangsan", "hi", 1, NOW);
        assertEquals(status(adapter.handle(good.withQuery("msg_signature", "0".repeat(40)).toRequest(NOW))), 401);
        assertEquals(status(adapter.handle(good.withQuery("nonce", "1").toRequest(NOW))), 401);
    }

    @Test
    public void tamperedCiphertextIsRefusedWith401() {
        SignedCallback good = callbacks.text("zhangsan", "hi", 1, NOW);
        String body = good.bodyText();
        int i = body.indexOf("<Encrypt><![CDATA[") + 18;
        char c = body.charAt(i);
        String tampered = body.substring(0, i) + (c == 'A' ? 'B' : 'A') + body.substring(i + 1);
        assertEquals(status(adapter.handle(good.withBody(tampered).toRequest(NOW))), 401);
    }

    @Test
    public void staleAndFutureTimestampsAreRefusedWith403() {
        SignedCallback old = callbacks.text("zhangsan", "hi", 1, NOW.minus(Duration.ofMinutes(6)));
        assertEquals(status(adapter.handle(old.toRequest(NOW))), 403, "6 minutes old");
        SignedCallback future = callbacks.text("zhangsan", "hi", 2, NOW.plus(Duration.ofMinutes(6)));
        assertEquals(status(adapter.handle(future.toRequest(NOW))), 403, "6 minutes ahead");
        SignedCallback recent = callbacks.text("zhangsan", "hi", 3, NOW.minus(Duration.ofMinutes(4)));
        assertEquals(inbound(adapter.handle(recent.toRequest(NOW))).text(), "hi", "4 minutes old is fine");
    }

    @Test
    public void messageForAnotherCorpIsRefused() {
        WeComCallbacks otherCorp = new WeComCallbacks(TOKEN, KEY, "wwOtherCorp0000001");
        CallbackResult r = adapter.handle(otherCorp.text("zhangsan", "hi", 1, NOW).toRequest(NOW));
        assertEquals(status(r), 401);
        assertTrue(((CallbackResult.Reply) r).reason().contains("corp-id"), "reason names the key to check");
    }

    @Test
    public void malformedRequestsAreRefusedWith400() {
        SignedCallback good = callbacks.text("zhangsan", "hi", 1, NOW);
        assertEquals(status(adapter.handle(good.withBody("<xml><Encrypt>").toRequest(NOW))), 400, "broken XML");
        assertEquals(status(adapter.handle(good.withBody("<xml><Other>1</Other></xml>").toRequest(NOW))), 400,
                "no Encrypt");
        Map<String, String> q = new java.util.HashMap<>(good.query());
        q.remove("nonce");
        assertEquals(status(adapter.handle(new SignedCallback("POST", q, Map.of(), good.body()).toRequest(NOW))),
                400, "missing nonce");
        assertEquals(status(adapter.handle(new SignedCallback("PUT", good.query(), Map.of(), good.body())
                .toRequest(NOW))), 405);
    }

    @Test
    public void xxeInsideAValidEncryptedMessageIsRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>";
        assertEquals(status(adapter.handle(callbacks.message(xxe, NOW).toRequest(NOW))), 400);
        SignedCallback good = callbacks.text("zhangsan", "hi", 1, NOW);
        String outer = "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><Encrypt>&x;</Encrypt></xml>";
        assertEquals(status(adapter.handle(good.withBody(outer).toRequest(NOW))), 400);
    }

    @Test
    public void eventsAndOtherTypesAreClassified() {
        assertEquals(inbound(adapter.handle(callbacks.event("lisi", "subscribe", NOW).toRequest(NOW))).kind(),
                MessageKind.WELCOME);
        InboundMessage enter = inbound(adapter.handle(callbacks.event("lisi", "enter_agent", NOW).toRequest(NOW)));
        assertEquals(enter.kind(), MessageKind.WELCOME);
        assertTrue(enter.messageId().contains("lisi") && enter.messageId().contains(
                Long.toString(NOW.getEpochSecond())), "events dedupe by sender and CreateTime: " + enter.messageId());
        CallbackResult location = adapter.handle(callbacks.event("lisi", "LOCATION", NOW).toRequest(NOW));
        assertEquals(status(location), 200, "other events are acknowledged and ignored");
        String image = "<xml><ToUserName>" + CORP + "</ToUserName><FromUserName>lisi</FromUserName><CreateTime>"
                + NOW.getEpochSecond() + "</CreateTime><MsgType>image</MsgType><PicUrl>http://x</PicUrl>"
                + "<MsgId>77</MsgId></xml>";
        InboundMessage img = inbound(adapter.handle(callbacks.message(image, NOW).toRequest(NOW)));
        assertEquals(img.kind(), MessageKind.UNSUPPORTED);
        assertEquals(img.messageId(), "77");
    }

    private InboundMessage question(String user) {
        return inbound(adapter.handle(callbacks.text(user, "退货怎么办？", 42, NOW).toRequest(NOW)));
    }

    @Test
    public void sendDeliversToTheUserThroughMessageSend() {
        adapter.send(question("zhangsan"), new OutboundText("**七天**无理由退货。", List.of("退货政策"), "来源"));
        assertEquals(api.textsTo("zhangsan"), List.of("七天无理由退货。\n\n来源: 退货政策"),
                "Markdown flattened, sources appended");
        JsonNode sent = api.accepted().get(0);
        assertEquals(sent.path("agentid").asLong(), 1000002L);
        assertEquals(sent.path("msgtype").asText(), "text");
        assertEquals(sent.path("enable_duplicate_check").asInt(), 1, "retried parts are not shown twice");
    }

    @Test
    public void tokenIsFetchedOnceForConcurrentSends() throws Exception {
        InboundMessage q = question("zhangsan");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    go.await();
                    adapter.send(q, OutboundText.of("answer " + n));
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(api.tokensIssued(), 1, "one gettoken for 8 concurrent sends");
        assertEquals(api.accepted().size(), 8);
    }

    @Test
    public void expiredTokenIsRefreshedAndTheSendRetried() {
        InboundMessage q = question("zhangsan");
        adapter.send(q, OutboundText.of("one"));
        api.expireTokens();
        adapter.send(q, OutboundText.of("two"));
        assertEquals(api.tokensIssued(), 2, "a new token after 42001");
        assertEquals(api.textsTo("zhangsan"), List.of("one", "two"));
    }

    @Test
    public void tokenIsRefetchedShortlyBeforeExpiry() {
        InboundMessage q = question("zhangsan");
        adapter.send(q, OutboundText.of("one"));
        clock.advance(Duration.ofSeconds(7200 - 400));
        adapter.send(q, OutboundText.of("two"));
        assertEquals(api.tokensIssued(), 1, "still valid");
        clock.advance(Duration.ofSeconds(200));
        adapter.send(q, OutboundText.of("three"));
        assertEquals(api.tokensIssued(), 2, "refetched inside the last 5 minutes");
    }

    @Test
    public void untrustedIpIsAHealthErrorWithTheFix() {
        InboundMessage q = question("zhangsan");
        api.server().enqueue("/cgi-bin/message/send", Canned.json(200,
                "{\"errcode\":60020,\"errmsg\":\"not allow to access from your ip, from ip: 203.0.113.9\"}"));
        SendException e = expectThrows(SendException.class, () -> adapter.send(q, OutboundText.of("x")));
        assertFalse(e.retryable(), "an operator must fix this");
        assertTrue(e.getMessage().contains("trusted IPs"), e.getMessage());
        assertFalse(adapter.health().healthy());
        assertTrue(adapter.health().lastError().orElseThrow().contains("add this server's IP"),
                "health says what to do");
    }

    @Test
    public void serverErrorsAreRetriedWithBackoff() {
        InboundMessage q = question("zhangsan");
        adapter.send(q, OutboundText.of("warm up"));
        api.server().enqueue("/cgi-bin/message/send", Canned.json(500, "oops"), Canned.json(502, "bad gateway"));
        adapter.send(q, OutboundText.of("after two failures"));
        assertEquals(api.textsTo("zhangsan").get(1), "after two failures");
        assertEquals(clock.sleeps(), List.of(Duration.ofMillis(500), Duration.ofSeconds(1)), "exponential backoff");
    }

    @Test
    public void serverErrorsGiveUpRetryableAfterMaxAttempts() {
        InboundMessage q = question("zhangsan");
        adapter.send(q, OutboundText.of("warm up"));
        api.server().clear();
        Canned down = Canned.json(503, "unavailable");
        api.server().enqueue("/cgi-bin/message/send", down, down, down, down);
        SendException e = expectThrows(SendException.class, () -> adapter.send(q, OutboundText.of("x")));
        assertTrue(e.retryable(), "the gateway should retry later");
        assertEquals(api.server().requests("/cgi-bin/message/send").size(), 4, "maxAttempts calls");
        assertFalse(e.getMessage().contains("access_token") || e.getMessage().contains("wecom-token"),
                "no token in the message: " + e.getMessage());
    }

    @Test
    public void timeoutsAreRetried() {
        // 3 attempts so a slow, shared CI machine cannot fail the test by delaying the second (prompt) answer.
        AdapterOptions fast = new AdapterOptions(clock, clock, Duration.ofMillis(400),
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1)),
                Duration.ofMinutes(5));
        try (WeComAdapter quick = new WeComAdapter("support", config(CORP, api.baseUrl()), fast)) {
            InboundMessage q = question("zhangsan");
            api.server().enqueue("/cgi-bin/message/send",
                    Canned.json(200, "{\"errcode\":0}").delayed(Duration.ofMillis(1500)));
            quick.send(q, OutboundText.of("after a timeout"));
            assertEquals(api.textsTo("zhangsan"), List.of("after a timeout"));
            int calls = api.server().requests("/cgi-bin/message/send").size();
            assertTrue(calls >= 2, "timed out at least once, then sent: " + calls + " calls");
        }
    }

    @Test
    public void badSecretFailsWithoutLeakingIt() {
        WeComConfig wrong = new WeComConfig(CORP, "1000002", "wrong-secret-XYZ", TOKEN, KEY, api.baseUrl());
        try (WeComAdapter a = new WeComAdapter("support", wrong, clock.options())) {
            SendException e = expectThrows(SendException.class, () -> a.send(question("u"), OutboundText.of("x")));
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("wecom.secret"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-secret-XYZ"), "secret must not appear");
            assertFalse(a.health().tokenOk());
        }
    }

    @Test
    public void longChineseAnswersAreSplitUnder2048BytesAtSentenceEnds() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            b.append("第").append(i).append("条：退货需要在签收后七天内提交申请，并保持商品完好。");
        }
        String text = b.toString();
        assertTrue(TextSplitter.utf8Length(text) > 4096, "test text spans several parts");
        adapter.send(question("zhangsan"), OutboundText.of(text));
        List<String> parts = api.textsTo("zhangsan");
        assertTrue(parts.size() >= 3, "split into parts: " + parts.size());
        for (String p : parts) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length < 2048, "part under 2048 bytes");
            assertTrue(p.endsWith("。"), "cut after a sentence: …" + p.substring(p.length() - 5));
        }
        assertEquals(String.join("", parts), text, "nothing lost or added");
    }

    @Test
    public void configErrorsNameTheKey() {
        ConfigException e = expectThrows(ConfigException.class, () -> WeComConfig.from(Map.of("corp-id", CORP,
                "agent-id", "1000002", "secret", "s", "token", "t", "encoding-aes-key", "tooshort")));
        assertEquals(e.getMessage(), "wecom.encoding-aes-key: must be 43 characters");
        ConfigException missing = expectThrows(ConfigException.class, () -> WeComConfig.from(Map.of()));
        assertEquals(missing.key(), "wecom.corp-id");
        ConfigException agent = expectThrows(ConfigException.class, () -> WeComConfig.from(Map.of("corp-id", CORP,
                "agent-id", "abc", "secret", "s", "token", "t", "encoding-aes-key", KEY)));
        assertEquals(agent.key(), "wecom.agent-id");
        ConfigException typo = expectThrows(ConfigException.class, () -> WeComConfig.from(Map.of("corp-id", CORP,
                "agent-id", "1000002", "secret", "s", "token", "t", "encoding-aes-keys", KEY)));
        assertEquals(typo.key(), "wecom.encoding-aes-keys", "a misspelt key is named, not ignored");
        assertFalse(config(CORP, "https://qyapi.weixin.qq.com").toString().contains(SECRET), "toString hides secret");
        assertEquals(WeComConfig.from(Map.of("corp-id", CORP, "agent-id", "1000002", "secret", "s", "token", "t",
                "encoding-aes-key", KEY)).apiBase(), WeComConfig.DEFAULT_API_BASE);
    }
}

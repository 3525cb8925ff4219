package dev.botgate.gateway.pipeline;

import static dev.botgate.gateway.TestGateway.waitFor;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.slack.FakeSlackApi;
import dev.botgate.adapters.slack.SlackCallbacks;
import dev.botgate.adapters.wecom.FakeWeComApi;
import dev.botgate.adapters.wecom.WeComCallbacks;
import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.http.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * End to end over real HTTP: signed and encrypted WeCom callbacks and signed Slack events are posted to a running
 * gateway whose bots answer from a real knowledge base; small local fakes play the WeCom and Slack APIs.
 */
public class PlatformBotsTest {
    private static final String CORP = "ww1234567890abcdef";
    private static final String SECRET = "wecom-app-secret";
    private static final String TOKEN = "wecomtoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final String SIGNING = "slack-signing-secret";
    private static final String BOT_TOKEN = "xoxb-test";
    private FakeWeComApi wecom;
    private FakeSlackApi slack;
    private TestGateway gw;
    private final WeComCallbacks wecomSigner = new WeComCallbacks(TOKEN, AES, CORP);
    private final SlackCallbacks slackSigner = new SlackCallbacks(SIGNING);

    @BeforeClass
    public void start() throws Exception {
        wecom = FakeWeComApi.start(CORP, SECRET);
        slack = FakeSlackApi.start(BOT_TOKEN, "UBOT");
        gw = TestGateway.start(config(), Map.of("WECOM_SECRET", SECRET, "SLACK_SIGNING_SECRET", SIGNING));
        assertEquals(gw.post("/admin/kb", "{\"name\":\"faq\"}").statusCode(), 201);
        Path csv = Files.createTempFile("faq", ".csv");
        Files.writeString(csv, """
                question,answer
                怎么退货？,收到商品7天内可在订单页申请退货。
                发票怎么开？,在订单页点击申请发票，电子发票发到邮箱。
                How long does shipping take?,Orders ship within 48 hours.
                """, StandardCharsets.UTF_8);
        JsonNode job = Json.MAPPER.readTree(gw.post("/admin/kb/faq/import", "{\"paths\":[\"" + csv + "\"]}").body());
        String id = job.path("id").asText();
        waitFor(() -> gw.get("/admin/kb/jobs/" + id).body().contains("\"done\""), "import finished");
    }

    private String config() {
        return """
                bots:
                  - id: support
                    channel: wecom
                    knowledge: [faq]
                    welcome: "欢迎！"
                    fallback: "转人工"
                    wecom: { corp-id: %s, agent-id: "1000002", secret: "${WECOM_SECRET}", token: %s, encoding-aes-key: %s, api-base: "%s" }
                  - id: team
                    channel: slack
                    knowledge: [faq]
                    fallback: "I don't know"
                    slack: { signing-secret: "${SLACK_SIGNING_SECRET}", bot-token: %s, bot-user-id: UBOT, api-base: "%s" }
                """.formatted(CORP, TOKEN, AES, wecom.baseUrl(), BOT_TOKEN, slack.baseUrl());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
        if (wecom != null) {
            wecom.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private HttpResponse<String> post(String path, SignedCallback c) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path + (c.query().isEmpty() ? "" : "?" + c.queryString())))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("host")) {
                b.header(k, v);
            }
        });
        return gw.send(b.build());
    }


    @Test
    public void wecomDirectAnswerIsSentOnceEvenWhenDeliveredThreeTimes() throws Exception {
        int tokensBefore = wecom.tokensIssued();
        SignedCallback c = wecomSigner.text("zhangsan", "怎么退货", 7001L, Instant.now());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post("/hooks/wecom/support", c);
            assertEquals(r.statusCode(), 200, r.body());
            assertEquals(r.body(), "", "WeCom is acknowledged with an empty 200");
        }
        waitFor(() -> !wecom.textsTo("zhangsan").isEmpty(), "answer sent");
        Thread.sleep(500);
        List<String> texts = wecom.textsTo("zhangsan");
        assertEquals(texts.size(), 1, "three deliveries, one answer: " + texts);
        assertTrue(texts.getFirst().startsWith("收到商品7天内可在订单页申请退货。"), texts.getFirst());
        int tokens = wecom.tokensIssued();
        assertTrue(tokens - tokensBefore <= 1, "at most one token fetch for this bot's first send");
        post("/hooks/wecom/support", wecomSigner.text("zhangsan", "发票怎么开", 7004L, Instant.now()));
        waitFor(() -> wecom.textsTo("zhangsan").size() == 2, "second answer sent");
        assertEquals(wecom.tokensIssued(), tokens, "the cached access token is reused");
        String metrics = gw.get("/metrics").body();
        assertTrue(metrics.contains("botgate_duplicates_dropped_total{channel=\"wecom\",bot=\"support\"} 2"),
                "duplicates are counted");
        java.util.regex.Matcher all = java.util.regex.Pattern
                .compile("botgate_callback_seconds_bucket\\{channel=\"wecom\",le=\"\\+Inf\"} (\\d+)").matcher(metrics);
        assertTrue(all.find(), "acknowledgement latency histogram: " + metrics);
        assertTrue(Long.parseLong(all.group(1)) >= 4, "every delivery counted, duplicates included");
        java.util.regex.Matcher fast = java.util.regex.Pattern
                .compile("botgate_callback_seconds_bucket\\{channel=\"wecom\",le=\"5\"} (\\d+)").matcher(metrics);
        assertTrue(fast.find() && Long.parseLong(fast.group(1)) == Long.parseLong(all.group(1)),
                "all acknowledged inside WeCom's 5 s deadline");
    }

    @Test
    public void wecomWelcomeAndFallbackAndTokenRefresh() throws Exception {
        post("/hooks/wecom/support", wecomSigner.event("lisi", "enter_agent", Instant.now()));
        waitFor(() -> wecom.textsTo("lisi").contains("欢迎！"), "welcome sent");
        wecom.expireTokens();
        post("/hooks/wecom/support", wecomSigner.text("lisi", "今天天气怎么样", 7002L, Instant.now()));
        waitFor(() -> wecom.textsTo("lisi").size() == 2, "fallback sent after a token refresh");
        assertEquals(wecom.textsTo("lisi").get(1), "转人工");
    }

    @Test
    public void wecomBadInputIsRefusedAndNothingIsSent() throws Exception {
        int before = wecom.accepted().size();
        SignedCallback good = wecomSigner.text("wangwu", "怎么退货", 7003L, Instant.now());
        assertEquals(post("/hooks/wecom/support", good.withQuery("msg_signature", "0".repeat(40))).statusCode(), 401);
        assertEquals(post("/hooks/wecom/nobody", good).statusCode(), 404, "unknown bot");
        assertEquals(post("/hooks/slack/support", good).statusCode(), 404, "bot exists on another channel");
        assertEquals(post("/hooks/wecom/support", good.withBody("<xml><Encrypt>")).statusCode() / 100, 4,
                "malformed XML is a 4xx");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><ToUserName>"
                + CORP + "</ToUserName><Encrypt>&e;</Encrypt></xml>";
        HttpResponse<String> r = post("/hooks/wecom/support", good.withBody(xxe));
        assertEquals(r.statusCode() / 100, 4, "an XXE payload is refused");
        assertFalse(r.body().contains("root:"), "no file content leaks");
        HttpResponse<String> big = gw.send(HttpRequest.newBuilder(gw.uri("/hooks/wecom/support?" + good.queryString()))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(2_000_000))).build());
        assertEquals(big.statusCode(), 413);
        Thread.sleep(300);
        assertEquals(wecom.textsTo("wangwu").size(), 0);
        assertEquals(wecom.accepted().size(), before);
    }

    @Test
    public void wecomUrlVerificationEchoesThePlaintext() {
        SignedCallback v = wecomSigner.urlVerification("echo-12345", Instant.now());
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/hooks/wecom/support?" + v.queryString()))
                .GET().build());
        assertEquals(r.statusCode(), 200);
        assertEquals(r.body(), "echo-12345");
    }

    @Test
    public void slackMentionIsAnsweredInTheThreadOnceDespiteRetries() throws Exception {
        SignedCallback mention = slackSigner.appMention("Ev1", "C1", "U42", "<@UBOT> How long does shipping take?",
                "1700000000.000100", "", Instant.now());
        assertEquals(post("/hooks/slack/team", mention).statusCode(), 200);
        assertEquals(post("/hooks/slack/team", SlackCallbacks.retry(mention, 1)).statusCode(), 200);
        waitFor(() -> !slack.posted().isEmpty(), "slack answer posted");
        Thread.sleep(500);
        List<JsonNode> posted = slack.posted();
        assertEquals(posted.size(), 1, "one answer despite the retry: " + posted);
        assertEquals(posted.getFirst().path("channel").asText(), "C1");
        assertEquals(posted.getFirst().path("thread_ts").asText(), "1700000000.000100", "answered in the thread");
        assertTrue(posted.getFirst().path("text").asText().contains("Orders ship within 48 hours."),
                posted.getFirst().toString());
    }

    @Test
    public void slackStaleOrForgedEventsAreRefused() {
        SignedCallback stale = slackSigner.appMention("Ev2", "C1", "U42", "<@UBOT> hi", "1.2", "",
                Instant.now().minus(Duration.ofMinutes(10)));
        assertEquals(post("/hooks/slack/team", stale).statusCode() / 100, 4, "older than 5 minutes");
        SignedCallback forged = slackSigner.appMention("Ev3", "C1", "U42", "<@UBOT> hi", "1.3", "", Instant.now())
                .withBody("{\"type\":\"event_callback\",\"event_id\":\"Ev3\",\"event\":{\"type\":\"app_mention\"}}");
        assertEquals(post("/hooks/slack/team", forged).statusCode(), 401, "body changed after signing");
        HttpResponse<String> challenge = post("/hooks/slack/team", slackSigner.urlVerification("ch4ll", Instant.now()));
        assertEquals(challenge.statusCode(), 200);
        assertTrue(challenge.body().contains("ch4ll"));
    }

    @Test
    public void conversationsAreVisibleToOperators() throws Exception {
        post("/hooks/wecom/support", wecomSigner.text("ops", "发票怎么开", 7010L, Instant.now()));
        waitFor(() -> !wecom.textsTo("ops").isEmpty(), "answer sent");
        waitFor(() -> gw.get("/admin/conversations").body().contains("\"ANSWERED\""), "record marked answered");
        JsonNode messages = Json.MAPPER.readTree(gw.get("/admin/conversations?limit=50").body()).path("messages");
        boolean found = false;
        for (JsonNode m : messages) {
            if (m.path("text").asText().equals("发票怎么开")) {
                found = true;
                assertEquals(m.path("policy").asText(), "direct");
                assertEquals(m.path("state").asText(), "ANSWERED");
            }
        }
        assertTrue(found, messages.toString());
        assertEquals(gw.get("/admin/conversations?limit=x").statusCode(), 400);
    }

    @Test
    public void aMessageAcknowledgedBeforeACrashIsAnsweredOnceAfterRestart() throws Exception {
        Path home = Files.createTempDirectory("restart");
        try (MessageLog log = new MessageLog(home.resolve("messages.db"), Clock.systemUTC())) {
            log.record("wecom", "support", "9001", "crash-user", "crash-user", "怎么退货", "{\"type\":\"wecom\","
                    + "\"userId\":\"crash-user\"}").orElseThrow();
        }
        try (TestGateway second = TestGateway.startIn(home, config(), Map.of("WECOM_SECRET", SECRET,
                "SLACK_SIGNING_SECRET", SIGNING))) {
            waitFor(() -> !wecom.textsTo("crash-user").isEmpty(), "recovered answer sent");
            Thread.sleep(300);
            assertEquals(wecom.textsTo("crash-user").size(), 1);
            assertEquals(wecom.textsTo("crash-user").getFirst(), "转人工",
                    "the new server has no faq base, so the recovered message gets the fallback, once");
            SignedCallback retry = wecomSigner.text("crash-user", "怎么退货", 9001L, Instant.now());
            post(second, retry);
            Thread.sleep(500);
            assertEquals(wecom.textsTo("crash-user").size(), 1, "a retry after the restart is still a duplicate");
        }
    }

    private void post(TestGateway g, SignedCallback c) {
        HttpRequest.Builder b = HttpRequest.newBuilder(g.uri("/hooks/wecom/support?" + c.queryString()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        g.send(b.build());
    }
}

package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.feishu.FeishuFixture;
import dev.botgate.adapters.slack.SlackFixture;
import dev.botgate.adapters.wechat.WeChatFixture;
import dev.botgate.adapters.wecom.WeComFixture;
import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.http.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every channel end to end through one running gateway: a signed (and, where the platform does, encrypted) text
 * message is posted three times to {@code /hooks/{channel}/{bot}}; the platform's fake API receives exactly one
 * answer, the direct Q&amp;A answer from the knowledge base. A tampered delivery is refused and answers nothing.
 */
public class AllChannelsTest {
    private final Map<String, PlatformFixture> fixtures = new LinkedHashMap<>();
    private WeChatFixture passiveOa;
    private TestGateway gw;
    private final AtomicLong ids = new AtomicLong(100);

    @BeforeClass
    public void start() throws Exception {
        fixtures.put("wecom", new WeComFixture());
        fixtures.put("slack", new SlackFixture());
        fixtures.put("wechat", new WeChatFixture(true));
        fixtures.put("feishu", new FeishuFixture());
        passiveOa = new WeChatFixture(false);
        StringBuilder yaml = new StringBuilder("bots:\n");
        fixtures.forEach((channel, f) -> yaml.append(bot(channel + "-bot", channel, f)));
        yaml.append(bot("oa-passive", "wechat", passiveOa));
        gw = TestGateway.start(yaml.toString(), Map.of());
        gw.post("/admin/kb", "{\"name\":\"faq\"}");
        Path csv = Files.createTempFile("faq", ".csv");
        Files.writeString(csv, "question,answer\n发票怎么开？,在订单页点击申请发票。\n", StandardCharsets.UTF_8);
        String job = gw.post("/admin/kb/faq/import", "{\"paths\":[\"" + csv + "\"]}").body();
        String id = Json.MAPPER.readTree(job).path("id").asText();
        TestGateway.waitFor(() -> !gw.get("/admin/kb/jobs/" + id).body().matches(".*\"state\":\"(queued|running)\".*"),
                "the faq import finishes");
        JsonNode done = Json.MAPPER.readTree(gw.get("/admin/kb/jobs/" + id).body());
        assertEquals(done.path("state").asText(), "done", "the faq import succeeded: " + done);
        assertEquals(done.path("documents_added").asInt(), 1, "the faq was imported: " + done);
    }

    private long recordsOf(String bot) {
        return gw.botgate().parts().log().recent(Optional.empty(), 1000).stream().filter(e -> e.bot().equals(bot))
                .count();
    }

    /** The record's entries of one bot's messages from one sender. */
    private List<MessageLog.Entry> recorded(String bot, String sender) {
        return gw.botgate().parts().log().recent(Optional.empty(), 1000).stream()
                .filter(e -> e.bot().equals(bot) && e.sender().equals(sender)).toList();
    }

    private static String bot(String id, String channel, PlatformFixture f) {
        String block = f.settings().entrySet().stream()
                .map(e -> e.getKey() + ": \"" + e.getValue().replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(", "));
        return "  - id: " + id + "\n    channel: " + channel + "\n    knowledge: [faq]\n    fallback: \"转人工\"\n    "
                + channel + ": {" + block + "}\n";
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
        fixtures.values().forEach(PlatformFixture::close);
        if (passiveOa != null) {
            passiveOa.close();
        }
    }

    @DataProvider
    public Object[][] channels() {
        return new Object[][]{{"wecom"}, {"slack"}, {"wechat"}, {"feishu"}};
    }

    private HttpResponse<String> post(String channel, String bot, SignedCallback c) {
        String q = c.query().isEmpty() ? "" : "?" + c.queryString();
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/hooks/" + channel + "/" + bot + q))
                .method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("host")) {
                b.header(k, v);
            }
        });
        return gw.send(b.build());
    }

    @Test(dataProvider = "channels")
    public void threeDeliveriesOneAnswer(String channel) throws Exception {
        PlatformFixture f = fixtures.get(channel);
        int before = f.delivered().size();
        SignedCallback c = f.text("user-" + channel, "发票怎么开", ids.incrementAndGet(), Instant.now());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post(channel, channel + "-bot", c);
            assertEquals(r.statusCode(), 200, channel + ": " + r.body());
        }
        // Every delivery was recorded or dropped as a retry before its 200; once the one record is answered, the
        // pipeline is done with this message and nothing more can be sent for it.
        TestGateway.waitFor(() -> recorded(channel + "-bot", "user-" + channel).stream()
                .anyMatch(e -> e.state() != MessageLog.State.RECEIVED && e.state() != MessageLog.State.QUEUED),
                channel + ": the message's record leaves RECEIVED");
        List<MessageLog.Entry> records = recorded(channel + "-bot", "user-" + channel);
        assertEquals(records.size(), 1, channel + ": three deliveries, one record: " + records);
        assertEquals(records.getFirst().state(), MessageLog.State.ANSWERED, channel + ": " + records.getFirst());
        List<String> delivered = f.delivered().subList(before, f.delivered().size());
        assertEquals(delivered.size(), 1, channel + " got exactly one answer: " + delivered);
        assertTrue(delivered.getFirst().contains("在订单页点击申请发票。"), channel + ": " + delivered.getFirst());
    }

    @Test(dataProvider = "channels")
    public void aTamperedDeliveryIsRefusedAndAnswersNothing(String channel) throws Exception {
        PlatformFixture f = fixtures.get(channel);
        int before = f.delivered().size();
        long recordsBefore = recordsOf(channel + "-bot");
        SignedCallback c = f.text("mallory", "发票怎么开", ids.incrementAndGet(), Instant.now());
        String body = new String(c.body(), StandardCharsets.UTF_8);
        SignedCallback tampered = c.withBody(body.replace("发票", "退款").replace("a", "b"));
        HttpResponse<String> r = post(channel, channel + "-bot", tampered);
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, channel + " refused: " + r.statusCode() + " " + r.body());
        // Only recorded messages are ever answered, and recording happens before the response: none, none sent.
        assertEquals(recordsOf(channel + "-bot"), recordsBefore, channel + ": a refused callback is not recorded");
        assertEquals(f.delivered().size(), before, channel + ": nothing sent for a refused callback");
    }

    @Test
    public void anUnverifiedOfficialAccountAnswersInsideTheCallback() {
        SignedCallback c = passiveOa.text("follower", "发票怎么开", ids.incrementAndGet(), Instant.now());
        HttpResponse<String> r = post("wechat", "oa-passive", c);
        assertEquals(r.statusCode(), 200);
        assertTrue(passiveOa.passiveText(r.body()).contains("在订单页点击申请发票。"),
                "a direct answer comes back on the first delivery, as a passive reply");
        assertTrue(passiveOa.delivered().isEmpty(), "nothing goes through the customer-service API");
    }

    @Test
    public void anOfficialAccountMessageInFlightAtACrashIsHeldForTheNextMessage() throws Exception {
        // A follower's message was recorded and acknowledged, then the process died before the answer went out.
        Path home = Files.createTempDirectory("oa-restart");
        SignedCallback c = passiveOa.text("restart-follower", "发票怎么开", ids.incrementAndGet(), Instant.now());
        dev.botgate.adapters.InboundMessage m;
        try (dev.botgate.adapters.ChannelAdapter adapter = passiveOa.newAdapter("oa-passive",
                dev.botgate.adapters.AdapterOptions.defaults())) {
            assertTrue(!adapter.canSend(), "an unverified account cannot send on its own");
            m = ((dev.botgate.adapters.CallbackResult.Inbound) adapter.handle(c.toRequest(Instant.now()))).message();
        }
        try (MessageLog log = new MessageLog(home.resolve("messages.db"), java.time.Clock.systemUTC())) {
            log.record(m.channel().id(), m.botId(), m.messageId(), m.conversationKey(), m.senderId(), m.text(),
                    InboundDispatcher.replyContext(m)).orElseThrow();
        }
        try (TestGateway second = TestGateway.startIn(home, "bots:\n" + bot("oa-passive", "wechat", passiveOa),
                Map.of())) {
            MessageLog log = second.botgate().parts().log();
            TestGateway.waitFor(() -> log.recent(java.util.Optional.empty(), 5).stream()
                    .anyMatch(e -> e.state() == MessageLog.State.HELD), "the recovered answer is held");
            SignedCallback next = passiveOa.text("restart-follower", "在吗", ids.incrementAndGet(), Instant.now());
            String q = "?" + next.queryString();
            HttpResponse<String> r = second.send(HttpRequest.newBuilder(second.uri("/hooks/wechat/oa-passive" + q))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(next.body())).build());
            assertEquals(r.statusCode(), 200);
            String text = passiveOa.passiveText(r.body());
            assertTrue(text.startsWith("转人工"), "the held answer (no faq base in this home: the fallback) comes "
                    + "first, in the reply to the next message: " + text);
            assertTrue(log.recent(java.util.Optional.empty(), 5).stream()
                    .noneMatch(e -> e.state() == MessageLog.State.FAILED), "nothing marked failed");
        }
    }
}

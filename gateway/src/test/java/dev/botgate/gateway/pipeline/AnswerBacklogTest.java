package dev.botgate.gateway.pipeline;

import static dev.botgate.gateway.TestGateway.waitFor;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.SignedCallback;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * With room for only two answers in memory, a burst of WeCom messages spills into the message record's backlog and
 * comes back out of it: every message is answered once, each user's answers in the order the questions were sent, and
 * a backlog left by a crash is answered after the restart.
 */
public class AnswerBacklogTest {
    private static final String CORP = "ww1234567890abcdef";
    private static final String SECRET = "wecom-app-secret";
    private static final String TOKEN = "wecomtoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final int USERS = 6;
    private static final int QUESTIONS = 8;
    private FakeWeComApi wecom;
    private final WeComCallbacks signer = new WeComCallbacks(TOKEN, AES, CORP);

    @BeforeClass
    public void start() {
        wecom = FakeWeComApi.start(CORP, SECRET);
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        wecom.close();
    }

    private String config() {
        return """
                conversation:
                  answers-in-memory: 2
                bots:
                  - id: support
                    channel: wecom
                    knowledge: [faq]
                    rate-per-minute: 0
                    fallback: "转人工"
                    wecom: { corp-id: %s, agent-id: "1", secret: "%s", token: %s, encoding-aes-key: %s, api-base: "%s" }
                """.formatted(CORP, SECRET, TOKEN, AES, wecom.baseUrl());
    }

    @Test
    public void aBurstSpillsIntoTheRecordAndEveryAnswerArrivesOnceInOrder() throws Exception {
        try (TestGateway gw = TestGateway.start(config(), Map.of())) {
            assertEquals(gw.post("/admin/kb", "{\"name\":\"faq\"}").statusCode(), 201);
            StringBuilder csv = new StringBuilder("question,answer\n");
            String[] topics = {"退货", "发票", "发货", "保修", "积分", "优惠券", "会员", "配送"};
            for (int q = 0; q < QUESTIONS; q++) {
                csv.append("怎么办理").append(topics[q]).append("？,第").append(q).append("号答案：").append(topics[q])
                        .append("请见订单页。\n");
            }
            Path file = Files.createTempFile("faq", ".csv");
            Files.writeString(file, csv, StandardCharsets.UTF_8);
            JsonNode job = Json.MAPPER.readTree(gw.post("/admin/kb/faq/import", "{\"paths\":[\"" + file + "\"]}")
                    .body());
            waitFor(() -> gw.get("/admin/kb/jobs/" + job.path("id").asText()).body().contains("\"done\""), "import");

            ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<?>> sent = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                String user = "burst-" + u;
                long base = 50_000L + u * 100L;
                sent.add(users.submit(() -> {
                    for (int q = 0; q < QUESTIONS; q++) {
                        SignedCallback c = signer.text(user, "怎么办理" + topics[q] + "？", base + q, Instant.now());
                        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/hooks/wecom/support?"
                                + c.queryString())).POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build());
                        assertEquals(r.statusCode(), 200, "acknowledged while the answers queue");
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            waitFor(() -> wecom.accepted().stream().filter(j -> j.path("touser").asText().startsWith("burst-"))
                    .count() >= USERS * QUESTIONS, "every answer sent");
            Thread.sleep(300);
            for (int u = 0; u < USERS; u++) {
                List<String> texts = wecom.textsTo("burst-" + u);
                assertEquals(texts.size(), QUESTIONS, "one answer per message: " + texts);
                for (int q = 0; q < QUESTIONS; q++) {
                    assertTrue(texts.get(q).startsWith("第" + q + "号答案"), "user " + u + " answer " + q
                            + " in the order asked: " + texts);
                }
            }
            String metrics = gw.get("/metrics").body();
            assertTrue(metrics.matches("(?s).*botgate_answers_backlogged_total\\{channel=\"wecom\",bot=\"support\"} "
                    + "[1-9].*"), "the burst went through the record's backlog: " + metrics);
            assertTrue(metrics.contains("botgate_answers_in_memory 0.0"), "nothing left in memory: " + metrics);
            MessageLog log = gw.botgate().parts().log();
            assertTrue(log.recent(Optional.empty(), 100).stream()
                    .filter(e -> e.conversation().contains("burst-"))
                    .allMatch(e -> e.state() == MessageLog.State.ANSWERED), "every message recorded as answered");
        }
    }

    @Test
    public void aBacklogLeftByACrashIsAnsweredOnceAfterTheRestart() throws Exception {
        Path home = Files.createTempDirectory("backlog-restart");
        try (MessageLog log = new MessageLog(home.resolve("messages.db"), Clock.systemUTC())) {
            for (int i = 0; i < 5; i++) {
                // Two were being answered, three waited in the backlog.
                log.record("wecom", "support", "crash-" + i, "crash-backlog", "crash-backlog", "问题" + i,
                        "{\"type\":\"wecom\",\"userId\":\"crash-backlog\"}",
                        i < 2 ? MessageLog.State.RECEIVED : MessageLog.State.QUEUED).orElseThrow();
            }
            assertEquals(log.queued(0, 10).size(), 3);
        }
        try (TestGateway gw = TestGateway.startIn(home, config(), Map.of())) {
            waitFor(() -> wecom.textsTo("crash-backlog").size() >= 5, "all five answered");
            Thread.sleep(300);
            assertEquals(wecom.textsTo("crash-backlog").size(), 5, "each once");
            MessageLog log = gw.botgate().parts().log();
            assertTrue(log.queued(0, 10).isEmpty(), "the backlog is empty");
            assertTrue(log.unanswered().isEmpty(), "nothing left unanswered");
            assertTrue(log.recent(Optional.empty(), 10).stream().allMatch(e -> e.state() == MessageLog.State.ANSWERED),
                    "all five recorded as answered");
        }
    }

}

package dev.botgate.adapters.wecomaibot;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.InboundFeed;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** The 智能机器人's long connection against a local WebSocket stand-in of WeCom's server. */
public class AiBotLongConnectionTest {
    static final String BOT = "aib-test-bot";
    static final String SECRET = "aib-secret";
    private FakeAiBotServer server;
    private WeComAiBotAdapter adapter;
    private final List<InboundMessage> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    /** Answers each message the way the gateway's worker does: a few updates, then the final text. */
    private final InboundFeed.FeedSink sink = new InboundFeed.FeedSink() {
        @Override
        public void accept(InboundMessage m) {
            accepted.add(m);
            WeComAiBotAdapter a = adapter; // this test's adapter, even if the thread outlives the test
            Thread.ofVirtual().start(() -> {
                ReplyStream s = a.open(m);
                s.update("答案");
                CountDownLatch hold = holds.get(m.text());
                if (hold != null) {
                    try {
                        hold.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                // As the gateway does: a transient failure is sent again (the whole final text) a little later.
                for (int attempt = 1; ; attempt++) {
                    try {
                        a.open(m).finish(OutboundText.of("答案：" + m.text()));
                        return;
                    } catch (SendException e) {
                        failures.add(e.getMessage());
                        if (!e.retryable() || attempt == 5) {
                            return;
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            });
        }

        @Override
        public void recordOnly(InboundMessage m, String reason) {
        }

        @Override
        public Optional<String> cursor(String key) {
            return Optional.empty();
        }

        @Override
        public void saveCursor(String key, String value) {
        }
    };

    @BeforeMethod
    public void start() {
        accepted.clear();
        holds.clear();
        failures.clear();
        server = FakeAiBotServer.start(BOT, SECRET);
    }

    private void connect(String secret) {
        connect(secret, Duration.ofMillis(150));
    }

    private void connect(String secret, Duration heartbeat) {
        WeComAiBotConfig c = WeComAiBotConfig.from(Map.of("mode", "long-connection", "bot-id", BOT, "secret", secret,
                "ws-url", server.url()));
        adapter = new WeComAiBotAdapter("ai", c, new TestClock(Instant.now()).options(), Duration.ofMillis(300),
                new AiBotConnection.Timing(heartbeat, Duration.ofMillis(50), Duration.ofMillis(400),
                        Duration.ofSeconds(10)));
        adapter.start(sink);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        if (adapter != null) {
            adapter.close();
        }
        server.close();
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private JsonNode finalFrame(String req) {
        return server.responses(req).stream().filter(f -> f.path("body").path("stream").path("finish").asBoolean())
                .findFirst().orElseThrow();
    }

    private boolean finished(String req) {
        return server.responses(req).stream().anyMatch(f -> f.path("body").path("stream").path("finish").asBoolean());
    }

    @Test
    public void subscribesThenPingsAndStreamsAnswers() throws Exception {
        connect(SECRET);
        waitFor(() -> server.subscriptions() == 1, "subscribed");
        JsonNode sub = server.received().getFirst();
        assertEquals(sub.path("cmd").asText(), "aibot_subscribe");
        assertEquals(sub.path("body").path("bot_id").asText(), BOT);
        waitFor(() -> server.pings() >= 2, "heartbeats");
        String req = server.push(WeComAiBotCallbacks.text("LC1", "wrG", "lisi", "@bot 请假流程", ""));
        waitFor(() -> finished(req), "final frame");
        JsonNode last = finalFrame(req);
        assertEquals(last.path("body").path("msgtype").asText(), "stream");
        assertEquals(last.path("body").path("stream").path("content").asText(), "答案：请假流程");
        String id = last.path("body").path("stream").path("id").asText();
        assertTrue(server.responses(req).stream().allMatch(f -> f.path("body").path("stream").path("id").asText()
                .equals(id)), "every frame of the answer carries the same stream id");
        assertEquals(accepted.getFirst().conversationKey(), "group:wrG:lisi");
        assertTrue(adapter.health().healthy());
    }

    @Test
    public void aDroppedConnectionIsReopenedAndNoMessageIsLost() throws Exception {
        connect(SECRET);
        waitFor(() -> server.subscriptions() == 1, "subscribed");
        CountDownLatch hold = new CountDownLatch(1);
        holds.put("慢问题", hold);
        String slow = server.push(WeComAiBotCallbacks.text("LC2", "", "lisi", "慢问题", ""));
        waitFor(() -> accepted.size() == 1, "message taken");
        server.drop();
        hold.countDown(); // the answer finishes while the connection is down: it waits for the new one
        waitFor(() -> server.subscriptions() == 2, "re-subscribed on a new connection");
        assertEquals(server.connections(), 2);
        waitFor(() -> finished(slow), "the answer of the message in flight arrived after the reconnect");
        String after = server.push(WeComAiBotCallbacks.text("LC3", "", "lisi", "新问题", ""));
        waitFor(() -> finished(after), "a message after the reconnect is answered");
        assertEquals(finalFrame(after).path("body").path("stream").path("content").asText(), "答案：新问题");
    }

    @Test
    public void aFinalFrameLostWithTheConnectionIsSentAgainOnTheNextOne() throws Exception {
        connect(SECRET);
        waitFor(() -> server.subscriptions() == 1, "subscribed");
        server.dropOnNextFinal();
        String req = server.push(WeComAiBotCallbacks.text("LC9", "", "lisi", "丢失的答案", ""));
        waitFor(() -> server.subscriptions() == 2, "re-subscribed");
        waitFor(() -> server.responses(req).stream().filter(f -> f.path("body").path("stream").path("finish")
                .asBoolean()).count() == 2, "the final frame written again on the new connection");
        assertTrue(failures.stream().anyMatch(f -> f.contains("did not acknowledge")), "" + failures);
    }

    @Test
    public void aRefusedSubscriptionIsReportedAndRetriedWithBackoff() throws Exception {
        // A long heartbeat: the retries must not wait for the connection to fall silent.
        connect("wrong-secret", Duration.ofSeconds(30));
        waitFor(() -> server.connections() >= 3, "tried again");
        assertEquals(server.subscriptions(), 0);
        assertFalse(adapter.health().healthy());
        assertTrue(adapter.health().lastError().orElse("").contains("wecom-aibot.secret"),
                adapter.health().lastError().orElse(""));
        assertFalse(adapter.health().lastError().orElse("").contains("wrong-secret"), "no secret in the message");
    }
}

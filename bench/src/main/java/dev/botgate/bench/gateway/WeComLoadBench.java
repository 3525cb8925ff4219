package dev.botgate.bench.gateway;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wecom.FakeWeComApi;
import dev.botgate.adapters.wecom.WeComCallbacks;
import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Signed, encrypted WeCom callbacks from many users at a fixed rate on loopback, to a knowledge-only bot, with the
 * answer workers saturated: acknowledgement latency (p50/p99, measured from each request's scheduled send time, so
 * queueing in the client counts too), errors, and — once the backlog drains — that every message was answered
 * exactly once, counted at the fake WeCom API. Also the answer throughput.
 * <pre>
 * bench/run dev.botgate.bench.gateway.WeComLoadBench [rate/s] [seconds]      # default 500 30
 * </pre>
 */
public final class WeComLoadBench {
    private static final String CORP = "ww1234567890abcdef";
    private static final String SECRET = "bench-secret";
    private static final String TOKEN = "benchtoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private WeComLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        // llama.cpp leaves a non-daemon native thread behind after close(): end the JVM explicitly.
        System.exit(status);
    }

    private static void run(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int warmup = rate * 5;
        int total = rate * seconds + warmup;
        Path home = Files.createTempDirectory("wecom-bench");
        try (FakeWeComApi wecom = FakeWeComApi.start(CORP, SECRET)) {
            Path config = home.resolve("bench.yaml");
            Files.writeString(config, """
                    server:
                      port: 0
                    paths:
                      home: "%s"
                    bots:
                      - id: support
                        channel: wecom
                        knowledge: [faq]
                        rate-per-minute: 0
                        fallback: "转人工"
                        wecom: { corp-id: %s, agent-id: "1", secret: "%s", token: %s, encoding-aes-key: %s, api-base: "%s" }
                    """.formatted(home, CORP, SECRET, TOKEN, AES, wecom.baseUrl()));
            Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), Map.of()), Map.of());
            try (Botgate botgate = Botgate.start(Wiring.create(settings, Map.of()))) {
                var kb = botgate.parts().knowledge();
                kb.create("faq");
                kb.startUpload("faq", List.of(new dev.botgate.knowledge.index.Upload("faq.csv", """
                        question,answer
                        怎么退货？,收到商品7天内可在订单页申请退货。
                        发票怎么开？,在订单页点击申请发票。
                        多久发货？,付款后48小时内发货。
                        """.getBytes(StandardCharsets.UTF_8))), Set.of());
                while (kb.list().getFirst().documents() < 1) {
                    Thread.sleep(50);
                }
                String[] questions = {"怎么退货", "发票怎么开", "多久发货", "你们几点下班"};
                WeComCallbacks signer = new WeComCallbacks(TOKEN, AES, CORP);
                System.out.printf("signing %d callbacks (the first %d, 5 s, warm the server up and are not timed) ...%n",
                        total, warmup);
                List<SignedCallback> callbacks = new ArrayList<>(total);
                for (int i = 0; i < total; i++) {
                    callbacks.add(signer.text("user" + (i % 2000), questions[i % questions.length], 1_000_000L + i,
                            Instant.now().plusSeconds(i / rate)));
                }
                HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors
                        .newVirtualThreadPerTaskExecutor()).build();
                String base = "http://127.0.0.1:" + botgate.port() + "/hooks/wecom/support?";
                long[] latencies = new long[total];
                AtomicInteger errors = new AtomicInteger();
                List<CompletableFuture<?>> inflight = new ArrayList<>(total);
                System.out.printf("sending %d callbacks/s for %d s ...%n", rate, seconds);
                long start = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                for (int i = 0; i < total; i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    SignedCallback c = callbacks.get(i);
                    int n = i;
                    inflight.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + c.queryString()))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build(),
                            HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                                latencies[n] = System.nanoTime() - due;
                                if (e != null || r.statusCode() != 200) {
                                    errors.incrementAndGet();
                                }
                            }));
                }
                CompletableFuture.allOf(inflight.toArray(CompletableFuture[]::new)).join();
                double sendSeconds = (System.nanoTime() - start) / 1e9;
                int answeredAtEnd = wecom.accepted().size();
                long drainStart = System.nanoTime();
                while (wecom.accepted().size() < total && System.nanoTime() - drainStart < 600_000_000_000L) {
                    Thread.sleep(100);
                }
                double allSeconds = (System.nanoTime() - start) / 1e9;
                long[] timed = Arrays.copyOfRange(latencies, warmup, total);
                Arrays.sort(timed);
                int n = timed.length;
                // Exactly once: each user received exactly as many answers as messages they sent.
                Map<String, Integer> perUser = new java.util.HashMap<>();
                wecom.accepted().forEach(j -> perUser.merge(j.path("touser").asText(), 1, Integer::sum));
                Map<String, Integer> expected = new java.util.HashMap<>();
                for (int i = 0; i < total; i++) {
                    expected.merge("user" + (i % 2000), 1, Integer::sum);
                }
                System.out.printf(Locale.ROOT, "offered %d callbacks in %.1f s (%.0f/s), errors %d%n", total,
                        sendSeconds, total / sendSeconds, errors.get());
                System.out.printf(Locale.ROOT, "ack latency over the timed %d s (%d callbacks): p50 %.1f ms, p90 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms (target p99 <= 50 ms)%n", seconds, n, timed[n / 2] / 1e6,
                        timed[(int) (n * 0.9)] / 1e6, timed[(int) (n * 0.99)] / 1e6, timed[n - 1] / 1e6);
                System.out.printf(Locale.ROOT, "answered %d of %d while sending; all answered after %.1f s; answers "
                        + "sent %d (exactly once: %s); answer throughput %.0f answers/s%n", answeredAtEnd, total,
                        allSeconds, wecom.accepted().size(), perUser.equals(expected),
                        wecom.accepted().size() / allSeconds);
                System.out.printf("messages recorded: %d, duplicates dropped: %s%n",
                        botgate.parts().log().recent(Optional.empty(), total + 10).size(),
                        botgate.parts().metrics().counter("botgate_duplicates_dropped_total",
                                "channel=\"wecom\",bot=\"support\""));
            }
        }
    }
}

package dev.botgate.bench.gateway;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wecom.FakeWeComApi;
import dev.botgate.adapters.wecom.WeComCallbacks;
import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Metrics;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import dev.botgate.knowledge.index.Upload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Signed, encrypted WeCom callbacks from many users at a fixed rate on loopback, to a knowledge-only bot, with the
 * answer workers saturated: acknowledgement latency (p50/p99, measured from each request's scheduled send time, so
 * queueing in the client counts too), errors, and — once the backlog drains — that every message was answered
 * exactly once, counted at the fake WeCom API. Also the answer throughput.
 *
 * <p>Two processes, as in production: this JVM runs Botgate alone; a child JVM plays the platform (the load generator
 * and the fake WeCom API that receives the answers), so the generator's allocation and GC pauses are not the
 * server's. Both share the machine's cores. The generator first warms itself against a no-op server; then the
 * server is warmed by {@code warm-up} seconds at the same rate (the JIT compiles the hot paths in that time; the cold
 * figures are printed too), the answer backlog drains, then the timed run starts.
 * <pre>
 * bench/run dev.botgate.bench.gateway.WeComLoadBench [rate/s] [seconds] [warm-up seconds]     # default 500 30 10
 * </pre>
 * {@code BENCH_JAVA_OPTS=-Dbench.answers-in-memory=N} sets {@code conversation.answers-in-memory} (default 1000).
 */
public final class WeComLoadBench {
    private static final String CORP = "ww1234567890abcdef";
    private static final String SECRET = "bench-secret";
    private static final String TOKEN = "benchtoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final int USERS = 2000;
    private static final String[] QUESTIONS = {"怎么退货", "发票怎么开", "多久发货", "你们几点下班"};

    private WeComLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            if (args.length > 0 && args[0].equals("--platform")) {
                platform(Arrays.copyOfRange(args, 1, args.length));
            } else {
                server(args);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        // llama.cpp leaves a non-daemon native thread behind after close(): end the JVM explicitly.
        System.exit(status);
    }

    // ---- the server's process -------------------------------------------------------------------------------------

    private static void server(String[] args) throws Exception {
        String rate = args.length > 0 ? args[0] : "500";
        String seconds = args.length > 1 ? args[1] : "30";
        String warmup = args.length > 2 ? args[2] : "10";
        Path home = Files.createTempDirectory("wecom-bench");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        // -Dbench.platform.opts="..." passes JVM options to the platform's process (e.g. a GC log).
        command.addAll(Arrays.stream(System.getProperty("bench.platform.opts", "").split(" "))
                .filter(o -> !o.isBlank()).toList());
        command.addAll(List.of(WeComLoadBench.class.getName(), "--platform", rate, seconds, warmup));
        Process platform = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader fromPlatform = new BufferedReader(new InputStreamReader(platform.getInputStream(),
                StandardCharsets.UTF_8));
        PrintStream toPlatform = new PrintStream(platform.getOutputStream(), true, StandardCharsets.UTF_8);
        String apiBase = fromPlatform.readLine();
        if (apiBase == null || !apiBase.startsWith("http")) {
            throw new IllegalStateException("the platform process did not start: " + apiBase);
        }
        Path config = home.resolve("bench.yaml");
        Files.writeString(config, """
                server:
                  port: 0
                paths:
                  home: "%s"
                conversation:
                  answers-in-memory: %s
                bots:
                  - id: support
                    channel: wecom
                    knowledge: [faq]
                    rate-per-minute: 0
                    fallback: "转人工"
                    wecom: { corp-id: %s, agent-id: "1", secret: "%s", token: %s, encoding-aes-key: %s, api-base: "%s" }
                """.formatted(home, System.getProperty("bench.answers-in-memory", "1000"), CORP, SECRET, TOKEN, AES,
                        apiBase));
        Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), Map.of()), Map.of());
        try (Botgate botgate = Botgate.start(Wiring.create(settings, Map.of()))) {
            var kb = botgate.parts().knowledge();
            kb.create("faq");
            kb.startUpload("faq", List.of(new Upload("faq.csv", """
                    question,answer
                    怎么退货？,收到商品7天内可在订单页申请退货。
                    发票怎么开？,在订单页点击申请发票。
                    多久发货？,付款后48小时内发货。
                    """.getBytes(StandardCharsets.UTF_8))), Set.of());
            while (kb.list().getFirst().documents() < 1) {
                Thread.sleep(50);
            }
            toPlatform.println("http://127.0.0.1:" + botgate.port() + "/hooks/wecom/support?");
            Map<String, long[]> gcAtTimedStart = new HashMap<>();
            long[] ackBucketsAtTimedStart = ackBuckets(botgate);
            for (String line = fromPlatform.readLine(); line != null; line = fromPlatform.readLine()) {
                if (line.equals("TIMED")) {
                    ackBucketsAtTimedStart = ackBuckets(botgate);
                    System.out.println("server side, warm-up (cold JVM), " + describe(ackBucketsAtTimedStart,
                            new long[ackBucketsAtTimedStart.length]));
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        gcAtTimedStart.put(gc.getName(), new long[]{gc.getCollectionCount(), gc.getCollectionTime()});
                    }
                } else if (line.equals("DONE")) {
                    break;
                } else {
                    System.out.println(line);
                }
            }
            System.out.println("server side, timed run, " + describe(ackBuckets(botgate), ackBucketsAtTimedStart));
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                long[] before = gcAtTimedStart.getOrDefault(gc.getName(), new long[2]);
                long count = gc.getCollectionCount() - before[0];
                if (count > 0) {
                    System.out.printf(Locale.ROOT, "server GC from the timed run's start to the drained end: %s, "
                                    + "%d collections, %d ms in all, %.1f ms on average%n", gc.getName(), count,
                            gc.getCollectionTime() - before[1], (gc.getCollectionTime() - before[1]) / (double) count);
                }
            }
            System.out.printf("messages recorded: %d, duplicates dropped: %s, messages that waited in the record's "
                            + "backlog (more than conversation.answers-in-memory waiting): %d%n",
                    botgate.parts().log().recent(Optional.empty(), 1_000_000).size(),
                    botgate.parts().metrics().counter("botgate_duplicates_dropped_total",
                            "channel=\"wecom\",bot=\"support\""),
                    botgate.parts().metrics().counter("botgate_answers_backlogged_total",
                            "channel=\"wecom\",bot=\"support\""));
        } finally {
            toPlatform.close();
            platform.waitFor();
        }
        if (platform.exitValue() != 0) {
            throw new IllegalStateException("the platform process failed with exit status " + platform.exitValue());
        }
    }

    /** The share of acknowledgements within each bucket between two snapshots. */
    private static String describe(long[] now, long[] before) {
        long all = now[now.length - 1] - before[now.length - 1];
        StringBuilder within = new StringBuilder(all + " callbacks, handler start to response sent "
                + "(botgate_callback_seconds):");
        for (int b = 0; b < Metrics.LATENCY_BUCKETS.length; b++) {
            within.append(String.format(Locale.ROOT, " <=%s s %.2f%%", Metrics.bucketLabel(Metrics.LATENCY_BUCKETS[b]),
                    100.0 * (now[b] - before[b]) / all));
        }
        return within.toString();
    }

    /** The server's cumulative acknowledgement-time buckets for WeCom, {@code +Inf} last. */
    private static long[] ackBuckets(Botgate botgate) {
        long[] counts = new long[Metrics.LATENCY_BUCKETS.length + 1];
        for (int b = 0; b < counts.length; b++) {
            String le = b < Metrics.LATENCY_BUCKETS.length ? Metrics.bucketLabel(Metrics.LATENCY_BUCKETS[b]) : "+Inf";
            counts[b] = botgate.parts().metrics().counter("botgate_callback_seconds_bucket",
                    "channel=\"wecom\",le=\"" + le + "\"");
        }
        return counts;
    }

    // ---- the platform's process: load generator and fake WeCom API ------------------------------------------------

    private static void platform(String[] args) throws Exception {
        int rate = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int warmupSeconds = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        try (FakeWeComApi wecom = FakeWeComApi.start(CORP, SECRET)) {
            out.println(wecom.baseUrl());
            String hook = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            int warm = rate * warmupSeconds;
            int timed = rate * seconds;
            WeComCallbacks signer = new WeComCallbacks(TOKEN, AES, CORP);
            out.printf("signing %d callbacks ...%n", warm + timed);
            List<SignedCallback> callbacks = new ArrayList<>(warm + timed);
            for (int i = 0; i < warm + timed; i++) {
                callbacks.add(signer.text("user" + (i % USERS), QUESTIONS[i % QUESTIONS.length], 1_000_000L + i,
                        Instant.now().plusSeconds(i / rate)));
            }
            HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

            // The generator warms itself first, against a server that only answers 200: in production the platform
            // is not a cold JVM on the same two cores, so the server's cold start below is the server's own.
            com.sun.net.httpserver.HttpServer sink = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            sink.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            sink.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            sink.start();
            Run self = send(http, "http://127.0.0.1:" + sink.getAddress().getPort() + "/sink?",
                    callbacks.subList(0, warm), rate);
            sink.stop(0);
            out.printf("generator warmed against a no-op server: p50/p99 ms by second:%s%n", self.timeline(rate));

            out.printf("warm-up: %d callbacks/s for %d s (not timed) ...%n", rate, warmupSeconds);
            Run warmRun = send(http, hook, callbacks.subList(0, warm), rate);
            long drainStart = System.nanoTime();
            awaitAnswers(wecom, warm);
            out.printf(Locale.ROOT, "warm-up: p50/p99 ms by second sent:%s; errors %d; its backlog drained %.1f s "
                    + "after the last send%n", warmRun.timeline(rate), warmRun.errors(),
                    (System.nanoTime() - drainStart) / 1e9);

            out.println("TIMED");
            System.err.println("timed run starts at " + Instant.now());
            out.printf("sending %d callbacks/s for %d s ...%n", rate, seconds);
            long start = System.nanoTime();
            Run run = send(http, hook, callbacks.subList(warm, warm + timed), rate);
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            int answeredWhileSending = wecom.accepted().size() - warm;
            long drainFrom = System.nanoTime();
            awaitAnswers(wecom, warm + timed);
            double drainSeconds = (System.nanoTime() - drainFrom) / 1e9;
            double allSeconds = (System.nanoTime() - start) / 1e9;
            int answers = wecom.accepted().size();

            long[] sorted = run.latencies().clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            // Exactly once: each user received exactly as many answers as messages they sent, warm-up included.
            Map<String, Integer> perUser = new HashMap<>();
            wecom.accepted().forEach(j -> perUser.merge(j.path("touser").asText(), 1, Integer::sum));
            Map<String, Integer> expected = new HashMap<>();
            for (int i = 0; i < warm + timed; i++) {
                expected.merge("user" + (i % USERS), 1, Integer::sum);
            }
            out.printf(Locale.ROOT, "offered %d callbacks in %.1f s (%.0f/s), errors %d%n", timed, sendSeconds,
                    timed / sendSeconds, run.errors());
            out.printf(Locale.ROOT, "ack latency over the timed %d s (%d callbacks): p50 %.1f ms, p90 %.1f ms, "
                    + "p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (target p99 <= 50 ms)%n", seconds, n,
                    sorted[n / 2] / 1e6, sorted[(int) (n * 0.9)] / 1e6, sorted[(int) (n * 0.99)] / 1e6,
                    sorted[(int) (n * 0.999)] / 1e6, sorted[n - 1] / 1e6);
            out.println("timed: p50/p99 ms by second sent:" + run.timeline(rate));
            out.printf(Locale.ROOT, "answered %d of %d while sending; all answered %.1f s after the timed start; "
                            + "answers received %d of %d sent (exactly once per user: %s); answer throughput %.0f "
                            + "answers/s (timed run, backlog included)%n", answeredWhileSending, timed, allSeconds,
                    answers, warm + timed, perUser.equals(expected), timed / allSeconds);
            out.printf(Locale.ROOT, "answer throughput with no callbacks arriving (the backlog after the last send): "
                    + "%d answers in %.1f s, %.0f answers/s%n", timed - answeredWhileSending, drainSeconds,
                    (timed - answeredWhileSending) / drainSeconds);
            out.println("DONE");
        }
    }

    /** Latencies in nanoseconds from each callback's scheduled send time, in sending order. */
    private record Run(long[] latencies, int errors) {
        String timeline(int rate) {
            StringBuilder s = new StringBuilder();
            for (int second = 0; second < latencies.length / rate; second++) {
                long[] slice = Arrays.copyOfRange(latencies, second * rate, (second + 1) * rate);
                Arrays.sort(slice);
                s.append(String.format(Locale.ROOT, " %.0f/%.0f", slice[rate / 2] / 1e6,
                        slice[(int) (rate * 0.99)] / 1e6));
            }
            return s.toString();
        }
    }

    /** Sends open-loop at a fixed rate: a slow answer does not delay the next send, it only counts as latency. */
    private static Run send(HttpClient http, String hook, List<SignedCallback> callbacks, int rate) {
        int total = callbacks.size();
        long[] latencies = new long[total];
        AtomicInteger errors = new AtomicInteger();
        // Only a count of what is in flight: holding every future would keep every response alive, and the
        // generator's own GC pauses would show up as acknowledgement latency.
        CountDownLatch inflight = new CountDownLatch(total);
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
            http.sendAsync(HttpRequest.newBuilder(URI.create(hook + c.queryString()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                        latencies[n] = System.nanoTime() - due;
                        if (e != null || r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                        inflight.countDown();
                    });
        }
        try {
            inflight.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Run(latencies, errors.get());
    }

    private static void awaitAnswers(FakeWeComApi wecom, int count) throws InterruptedException {
        long start = System.nanoTime();
        while (wecom.accepted().size() < count && System.nanoTime() - start < 600_000_000_000L) {
            Thread.sleep(100);
        }
    }
}

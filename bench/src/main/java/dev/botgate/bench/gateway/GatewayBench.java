package dev.botgate.bench.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import dev.botgate.gateway.http.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntSupplier;

/**
 * The HTTP layer's cost and the engine's scaling, measured in one run on a generated ~26M-parameter GGUF (512-dim,
 * 8 layers), 2 threads:
 * <ol>
 *   <li>decode tokens/s of one stream through {@code /v1/chat/completions} (SSE, counted at the client from the first
 *       to the last token frame) vs the same generation on the engine directly (first to last token event);
 *       runs alternate, medians reported;</li>
 *   <li>aggregate tokens/s of 4 concurrent HTTP streams vs one;</li>
 *   <li>time to first token of a second request that shares a 1000+-token prefix with the first;</li>
 *   <li>process RSS with the model loaded, and start-up of {@code botgate serve} (a child JVM) to the first 200 on
 *       {@code /health}.</li>
 * </ol>
 * Run (from the repository root):
 * <pre>
 * bench/run dev.botgate.bench.gateway.GatewayBench
 * </pre>
 */
public final class GatewayBench {
    private static final int TOKENS = 128;
    private static final int RUNS = 9;

    private GatewayBench() {
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
        Path home = Files.createTempDirectory("gateway-bench");
        System.out.println("generating the 26M-parameter GGUF ...");
        Path gguf = TinyGguf.builder().embedding(512).layers(8).feedForward(1536).heads(8, 8).contextLength(4096)
                .write(home.resolve("bench.gguf"));
        ModelStore.builder(home.resolve("models")).build().pull(gguf.toString(), p -> { });
        Path config = home.resolve("bench.yaml");
        Files.writeString(config, """
                server:
                  port: 0
                paths:
                  home: "%s"
                engine:
                  threads: 2
                  context-size: 8192
                  parallel-slots: 4
                  queue-capacity: 16
                bots: []
                """.formatted(home));
        Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), Map.of()), Map.of());
        try (Botgate botgate = Botgate.start(Wiring.create(settings, Map.of()))) {
            Engine engine = botgate.parts().engine();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + botgate.port();
            String model = "bench:latest";
            // Warm both paths up (the JIT compiles the server's streaming path and the client's reader): without it
            // the first pairs measured the interpreter, 0.55 in two runs of 2026-11-30.
            for (int i = 0; i < 3; i++) {
                direct(engine, model, "warm up " + i, TOKENS);
                overHttp(http, base, model, "warm up " + i, TOKENS);
            }
            // Paired runs: the same prompt and seed on both paths, so both decode the same tokens; the order within a
            // pair alternates so neither path always runs on a warmer cache.
            // A random-weight model may hit its end-of-text token after a few tokens, and a rate over 8 tokens is
            // mostly jitter: use prompts whose generation runs (nearly) the full length.
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 60 && prompts.size() < RUNS; i++) {
                if (direct(engine, model, "hello world number " + i, TOKENS)[0] >= TOKENS * 0.8) {
                    prompts.add("hello world number " + i);
                }
            }
            List<Double> directRates = new ArrayList<>();
            List<Double> httpRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<String> lengths = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                String prompt = prompts.get(i);
                double[] a;
                double[] b;
                if (i % 2 == 0) {
                    a = direct(engine, model, prompt, TOKENS);
                    b = overHttp(http, base, model, prompt, TOKENS);
                } else {
                    b = overHttp(http, base, model, prompt, TOKENS);
                    a = direct(engine, model, prompt, TOKENS);
                }
                directRates.add(a[1]);
                httpRates.add(b[1]);
                ratios.add(b[1] / a[1]);
                lengths.add((int) a[0] + "/" + (int) b[0]);
            }
            System.out.printf(Locale.ROOT, "decode, one stream: direct %.1f tok/s, HTTP SSE %.1f tok/s (medians); median "
                    + "of paired ratios %.3f (target >= 0.95)%n  runs direct %s%n  runs HTTP   %s%n  ratios      %s%n"
                    + "  tokens direct/HTTP %s%n", median(directRates), median(httpRates), median(ratios),
                    fmt(directRates), fmt(httpRates), ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x))
                            .toList(), lengths);

            // The same four full-length generations, one after another and then all at once: tokens per wall-clock
            // second (prompt included) of each way; read by the JDK client in this JVM, then by curl processes (the
            // client's reader threads then no longer share the server's JVM; they still share the two cores).
            List<String> four = prompts.subList(0, Math.min(4, prompts.size()));
            List<List<Double>> jdk = sequentialVsConcurrent(four, p -> {
                CompletableFuture<double[]> f = CompletableFuture.supplyAsync(() -> overHttp(http, base, model, p,
                        TOKENS));
                return () -> (int) f.join()[0];
            });
            List<List<Double>> curl = sequentialVsConcurrent(four, p -> curlStream(base, model, p, TOKENS)::waitFor);
            for (var result : List.of(Map.entry("the JDK client in this JVM", jdk), Map.entry("curl processes", curl))) {
                List<Double> single = result.getValue().get(0);
                List<Double> aggregate = result.getValue().get(1);
                System.out.printf(Locale.ROOT, "throughput over HTTP, the same %d generations read by %s: 4 concurrent "
                        + "streams %.1f tok/s vs one at a time %.1f tok/s, ratio %.2f (target >= 1.5)%n  runs concurrent "
                        + "%s%n  runs sequential %s%n", four.size(), result.getKey(), median(aggregate), median(single),
                        median(aggregate) / median(single), fmt(aggregate), fmt(single));
            }

            StringBuilder prefix = new StringBuilder("You are a support assistant. Reference material follows.\n");
            while (prefix.length() < 5200) {
                prefix.append("the order was made by the people who call the model server to return a refund. ");
            }
            double first = ttft(http, base, model, prefix + "\nQuestion one: where is my order?");
            double second = ttft(http, base, model, prefix + "\nQuestion two: how do I get a refund?");
            System.out.printf(Locale.ROOT, "time to first token, %d-char shared prefix: first %.0f ms, second %.0f ms, "
                    + "ratio %.3f (target <= 0.1)%n", prefix.length(), first, second, second / first);
            JsonNode ps = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/ps")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            System.out.printf(Locale.ROOT, "process RSS with the model loaded: %d MiB (model file %d MiB; ps estimate "
                    + "%d MiB)%n", rssKib() / 1024, Files.size(gguf) >> 20,
                    ps.path("models").get(0).path("size").asLong() >> 20);
        }
        System.out.printf(Locale.ROOT, "botgate serve start-up to first 200 on /health: %s%n", startup(home));
    }

    /** Tokens and decode tokens/s (first to last token) of one generation on the engine. */
    static double[] direct(Engine engine, String model, String prompt, int tokens) throws InterruptedException {
        LinkedBlockingQueue<GenerationEvent> q = new LinkedBlockingQueue<>();
        engine.submit(new GenerationRequest(model, new GenerationRequest.Chat(List.of(new ChatMessage("user", prompt))),
                options(tokens)), q::add);
        long first = 0;
        long last = 0;
        int n = 0;
        while (true) {
            GenerationEvent e = q.take();
            if (e instanceof GenerationEvent.Token) {
                last = System.nanoTime();
                if (n++ == 0) {
                    first = last;
                }
            } else {
                break;
            }
        }
        return new double[]{n, n > 1 ? (n - 1) / ((last - first) / 1e9) : 0};
    }

    /** Tokens and decode tokens/s (first to last token frame) of one streamed completion, read at the client. */
    static double[] overHttp(HttpClient http, String base, String model, String prompt, int tokens) {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + tokens + ",\"seed\":42,"
                + "\"temperature\":0.8,\"messages\":[{\"role\":\"user\",\"content\":" + quote(prompt) + "}]}";
        try {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long first = 0;
            long last = 0;
            int n = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: {") && line.contains("\"content\"")) {
                        last = System.nanoTime();
                        if (n++ == 0) {
                            first = last;
                        }
                    }
                }
            }
            return new double[]{n, n > 1 ? (n - 1) / ((last - first) / 1e9) : 0};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Tokens per wall-clock second of {@code prompts} run one after another, then all at once, 3 rounds: [sequential
     * rates, concurrent rates]. {@code start} begins one generation and returns what waits for its token count.
     */
    static List<List<Double>> sequentialVsConcurrent(List<String> prompts,
                                                     java.util.function.Function<String, IntSupplier> start) {
        List<Double> single = new ArrayList<>();
        List<Double> aggregate = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            double tokens = 0;
            for (String p : prompts) {
                tokens += start.apply(p).getAsInt();
            }
            single.add(tokens / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            List<IntSupplier> running = prompts.stream().map(start).toList();
            tokens = running.stream().mapToInt(IntSupplier::getAsInt).sum();
            aggregate.add(tokens / ((System.nanoTime() - t0) / 1e9));
        }
        return List.of(single, aggregate);
    }

    /** One streamed completion read by a {@code curl -N} process; {@link #waitFor} gives its content frames. */
    record CurlStream(Process process) {
        int waitFor() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                int n = 0;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: {") && line.contains("\"content\"")) {
                        n++;
                    }
                }
                process.waitFor();
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static CurlStream curlStream(String base, String model, String prompt, int tokens) {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + tokens + ",\"seed\":42,"
                + "\"temperature\":0.8,\"messages\":[{\"role\":\"user\",\"content\":" + quote(prompt) + "}]}";
        try {
            return new CurlStream(new ProcessBuilder("curl", "-sN", "-H", "Content-Type: application/json", "-d", body,
                    base + "/v1/chat/completions").redirectError(ProcessBuilder.Redirect.DISCARD).start());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("curl is needed for this figure: " + e.getMessage(), e);
        }
    }

    static double ttft(HttpClient http, String base, String model, String prompt) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":2,\"messages\":[{\"role\":\"user\","
                + "\"content\":" + quote(prompt) + "}]}";
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            double at = -1;
            while ((line = in.readLine()) != null) {
                if (at < 0 && line.startsWith("data: {") && line.contains("\"content\"")) {
                    at = (System.nanoTime() - t0) / 1e6;
                }
            }
            return at;
        }
    }

    private static GenerationOptions options(int tokens) {
        return new GenerationOptions(0.8, null, null, null, 42, null, tokens, null, null, null);
    }

    /** Starts {@code botgate serve} in a child JVM and times it to the first 200 on /health. */
    static String startup(Path home) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int port = 18_000 + i;
            Path h = home.resolve("startup-" + i);
            Files.createDirectories(h);
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "dev.botgate.gateway.Main", "serve", "--port",
                    Integer.toString(port)).redirectErrorStream(true).redirectOutput(h.resolve("out.log").toFile());
            pb.environment().put("BOTGATE_HOME", h.toString());
            long t0 = System.nanoTime();
            Process p = pb.start();
            HttpClient http = HttpClient.newHttpClient();
            try {
                while (true) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            times.add((System.nanoTime() - t0) / 1e9);
                            break;
                        }
                    } catch (java.io.IOException e) {
                        Thread.sleep(20);
                    }
                    if (!p.isAlive()) {
                        return "child exited early, see " + h.resolve("out.log");
                    }
                }
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
        return String.format(Locale.ROOT, "median %.2f s of %s (fresh data directory each: includes loading the "
                + "embedding model and creating the demo knowledge base)", median(times), fmt(times));
    }

    static long rssKib() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static String fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList().toString();
    }

    static String quote(String s) {
        return new String(Json.bytes(s), StandardCharsets.UTF_8);
    }
}

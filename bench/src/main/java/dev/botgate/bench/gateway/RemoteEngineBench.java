package dev.botgate.bench.gateway;

import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cost of Botgate's remote-engine hop: a Botgate "server" runs the generated ~26M-parameter GGUF (512-dim, 8
 * layers, 2 threads); a second Botgate in the same JVM serves it as a remote model ({@code engines:}, OpenAI and Ollama
 * protocol). For each prompt the same streamed completion (same seed) is read once from the server directly and once
 * through the second Botgate, in alternating order; the client counts, per stream, the time to the first token frame
 * and the decode rate from the first to the last token frame. Medians of the paired ratios and differences are
 * reported, for OpenAI clients through an OpenAI-protocol engine and Ollama clients through an Ollama-protocol one.
 * Run (from the repository root):
 * <pre>
 * bench/run dev.botgate.bench.gateway.RemoteEngineBench
 * BENCH_JAVA_OPTS=-Dbench.threads=1 bench/run dev.botgate.bench.gateway.RemoteEngineBench
 * </pre>
 * Both Botgates share this machine's cores, so the hop's own CPU (parsing and re-encoding each token) is taken from
 * llama.cpp's decode threads; with {@code -Dbench.threads=1} on 2 cores the engine keeps one core and the hop gets the
 * other, closer to a real deployment where the engine runs on another machine.
 */
public final class RemoteEngineBench {
    private static final int TOKENS = 128;
    private static final int PAIRS = 9;
    private static final AtomicInteger STREAMS = new AtomicInteger();

    private RemoteEngineBench() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status); // llama.cpp leaves a non-daemon native thread behind
    }

    private static Botgate start(Path home, String extra) throws Exception {
        Path config = home.resolve("bench.yaml");
        Files.writeString(config, """
                server:
                  port: 0
                paths:
                  home: "%s"
                engine:
                  threads: %s
                  context-size: 8192
                  parallel-slots: 4
                  queue-capacity: 16
                bots: []
                %s""".formatted(home, Integer.getInteger("bench.threads", 2), extra));
        Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), Map.of()), Map.of());
        return Botgate.start(Wiring.create(settings, Map.of()));
    }

    private static void run() throws Exception {
        Path serverHome = Files.createTempDirectory("remote-bench-server");
        Path gguf = TinyGguf.builder().embedding(512).layers(8).feedForward(1536).heads(8, 8).contextLength(4096)
                .write(serverHome.resolve("bench.gguf"));
        ModelStore.builder(serverHome.resolve("models")).build().pull(gguf.toString(), p -> { });
        try (Botgate server = start(serverHome, "");
             Botgate gateway = start(Files.createTempDirectory("remote-bench-gateway"), """
                     engines:
                       - name: gpu-openai
                         type: openai
                         base-url: http://127.0.0.1:%1$d/v1
                         models: [{name: far-oa, remote: "bench:latest"}]
                       - name: gpu-ollama
                         type: ollama
                         base-url: http://127.0.0.1:%1$d
                         models: [{name: far-ol, remote: "bench:latest"}]
                     """.formatted(server.port()))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String direct = "http://127.0.0.1:" + server.port();
            String via = "http://127.0.0.1:" + gateway.port();
            // Prompts whose generation runs (nearly) the full length: a random-weight model may stop after a few tokens.
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 80 && prompts.size() < PAIRS; i++) {
                String p = "hello world number " + i;
                if (stream(http, direct, "/v1/chat/completions", "bench:latest", p)[0] >= TOKENS * 0.8) {
                    prompts.add(p);
                }
            }
            for (int i = 0; i < 3; i++) { // warm both paths up (JIT)
                stream(http, via, "/v1/chat/completions", "far-oa", prompts.get(i));
                stream(http, via, "/api/chat", "far-ol", prompts.get(i));
                stream(http, direct, "/api/chat", "bench:latest", prompts.get(i));
            }
            report(http, "OpenAI client, OpenAI-protocol engine", "/v1/chat/completions", direct, "bench:latest",
                    via, "far-oa", prompts);
            report(http, "Ollama client, Ollama-protocol engine", "/api/chat", direct, "bench:latest", via, "far-ol",
                    prompts);
        }
    }

    private static void report(HttpClient http, String title, String path, String direct, String directModel,
                               String via, String viaModel, List<String> prompts) {
        List<Double> rateRatios = new ArrayList<>();
        List<Double> ttftDiffs = new ArrayList<>();
        List<Double> directRates = new ArrayList<>();
        List<Double> viaRates = new ArrayList<>();
        List<Double> directTtft = new ArrayList<>();
        List<Double> viaTtft = new ArrayList<>();
        List<String> lengths = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            double[] a;
            double[] b;
            if (i % 2 == 0) {
                a = stream(http, direct, path, directModel, prompts.get(i));
                b = stream(http, via, path, viaModel, prompts.get(i));
            } else {
                b = stream(http, via, path, viaModel, prompts.get(i));
                a = stream(http, direct, path, directModel, prompts.get(i));
            }
            directRates.add(a[2]);
            viaRates.add(b[2]);
            directTtft.add(a[1]);
            viaTtft.add(b[1]);
            rateRatios.add(b[2] / a[2]);
            ttftDiffs.add(b[1] - a[1]);
            lengths.add((int) a[0] + "/" + (int) b[0]);
        }
        System.out.printf(Locale.ROOT, "%s, %d pairs:%n  decode: direct %.1f tok/s, through Botgate %.1f tok/s "
                        + "(medians); median of paired ratios %.3f (target >= 0.98)%n  time to first token: direct %.1f ms,"
                        + " through Botgate %.1f ms (medians); median of paired differences %+.1f ms (target <= 5)%n"
                        + "  ratios %s%n  TTFT differences ms %s%n  tokens direct/through %s%n", title, prompts.size(),
                GatewayBench.median(directRates), GatewayBench.median(viaRates), GatewayBench.median(rateRatios),
                GatewayBench.median(directTtft), GatewayBench.median(viaTtft), GatewayBench.median(ttftDiffs),
                fmt(rateRatios), fmt(ttftDiffs), lengths);
        // Whichever stream of a pair comes second gets its first token 40-90 ms sooner (measured: the differences
        // alternate in sign with the order). The order alternates, so the mean over each order, averaged, cancels it.
        double first = 0;
        double second = 0;
        int n1 = 0;
        int n2 = 0;
        for (int i = 0; i < ttftDiffs.size(); i++) {
            if (i % 2 == 0) {
                second += ttftDiffs.get(i);     // through Botgate went second
                n2++;
            } else {
                first += ttftDiffs.get(i);
                n1++;
            }
        }
        System.out.printf(Locale.ROOT, "  TTFT cost of the hop, order-corrected: %+.1f ms (mean when the hop went "
                + "first %+.1f, second %+.1f)%n", (first / n1 + second / n2) / 2, first / n1, second / n2);
    }

    /** [token frames, ms to the first, decode tokens/s from the first to the last] of one streamed answer. */
    static double[] stream(HttpClient http, String base, String path, String model, String text) {
        boolean openAi = path.startsWith("/v1");
        // A number of its own in front of every prompt: no stream reuses another's cached prompt.
        String prompt = String.format("%04d ", STREAMS.incrementAndGet()) + text;
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":" + GatewayBench.quote(prompt) + "}]";
        String body = openAi
                ? "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + TOKENS + ",\"seed\":42,"
                + "\"temperature\":0.8," + messages + "}"
                : "{\"model\":\"" + model + "\",\"stream\":true,\"options\":{\"num_predict\":" + TOKENS + ",\"seed\":42,"
                + "\"temperature\":0.8}," + messages + "}";
        try {
            long t0 = System.nanoTime();
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            long first = 0;
            long last = 0;
            int n = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    boolean token = openAi ? line.startsWith("data: {") && line.contains("\"content\"")
                            : line.contains("\"done\":false");
                    if (token) {
                        last = System.nanoTime();
                        if (n++ == 0) {
                            first = last;
                        }
                    }
                }
            }
            return new double[]{n, (first - t0) / 1e6, n > 1 ? (n - 1) / ((last - first) / 1e9) : 0};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList();
    }
}

package dev.botgate.bench.engine;

import dev.botgate.backend.engine.EngineOptions;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.LlamaEngine;
import dev.botgate.backend.engine.ModelSpec;
import dev.botgate.backend.store.TinyGguf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Engine figures on a generated ~26M-parameter llama GGUF (512-dim, 8 layers, random weights), 2 threads, in one run:
 * decode tokens/s for one stream, aggregate tokens/s for 4 concurrent streams, time to first token of a request that
 * shares a ≥1000-token prefix with the previous one, and process RSS with the model loaded. Medians of 3 rounds.
 * Not JMH: each figure is seconds of native work, and the quantities are end-to-end through {@link LlamaEngine}.
 *
 * <p>Run (from the repository root; the bench module is only in the {@code bench} profile):
 * <pre>
 * bench/run dev.botgate.bench.engine.EngineBench
 * </pre>
 */
public final class EngineBench {
    private static final int TOKENS = 128;
    private static final int ROUNDS = 3;

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("engine-bench");
        TinyGguf gguf = TinyGguf.builder().embedding(512).layers(8).feedForward(1536).heads(8, 8);
        Path file = gguf.write(dir.resolve("bench.gguf"));
        System.out.printf("model: %,d parameters, %,d bytes, %s%n", gguf.parameterCount(), Files.size(file), file);
        ModelSpec spec = new ModelSpec("bench:latest", "sha256:bench", file, "", Optional.empty(), 0,
                GenerationOptions.NONE);
        EngineOptions options = EngineOptions.builder().threads(2).parallel(4).contextLength(2048).queueCapacity(8)
                .nativeLibraryDirectory(dir.resolve("native")).build();
        System.out.println("engine: " + options);
        try (LlamaEngine engine = new LlamaEngine(options, name -> spec)) {
            run(engine, raw("warm up", 8)); // loads the model
            long rssLoaded = rssKib();
            double[] single = new double[ROUNDS];
            double[] aggregate = new double[ROUNDS];
            double[] cold = new double[ROUNDS];
            double[] warm = new double[ROUNDS];
            int prefixTokens = 0;
            for (int round = 0; round < ROUNDS; round++) {
                single[round] = tokensPerSecond(engine, 1, round);
                aggregate[round] = tokensPerSecond(engine, 4, round);
                // A fresh prefix each round so the first request really starts cold.
                String prefix = ("Round " + round + ": the order of the world is not what you see, and the model "
                        + "reads every word of it. ").repeat(19);
                Result first = run(engine, raw(prefix + "First question?", 4));
                Result second = run(engine, raw(prefix + "Second question?", 4));
                prefixTokens = first.done.stats().promptTokens();
                cold[round] = first.firstTokenMillis;
                warm[round] = second.firstTokenMillis;
                System.out.printf("round %d: 1 stream %.1f tok/s, 4 streams %.1f tok/s, TTFT %d-token prompt cold %.0f ms,"
                        + " shared prefix %.1f ms%n", round + 1, single[round], aggregate[round], prefixTokens,
                        cold[round], warm[round]);
            }
            double s = median(single);
            double a = median(aggregate);
            double c = median(cold);
            double w = median(warm);
            System.out.println();
            System.out.printf("decode, 1 stream:            %.1f tok/s%n", s);
            System.out.printf("decode, 4 streams (total):   %.1f tok/s  (%.2fx one stream; target >= 1.5x)%n", a, a / s);
            System.out.printf("TTFT, %d-token prompt:     cold %.0f ms, sharing the prefix %.1f ms  (%.3fx; target <= 0.1x)%n",
                    prefixTokens, c, w, w / c);
            System.out.printf("RSS with the model loaded:   %d MiB (after the run: %d MiB)%n", rssLoaded / 1024,
                    rssKib() / 1024);
            System.out.printf("estimated model memory (ps): %d MiB%n", engine.loaded().getFirst().memoryBytes() >> 20);
        }
        // java-llama.cpp leaves a non-daemon native thread attached to the JVM after close; exit explicitly.
        System.exit(0);
    }

    /** Tokens per second over {@code streams} concurrent requests, wall clock from first submit to last Done. */
    private static double tokensPerSecond(LlamaEngine engine, int streams, int round) {
        List<CompletableFuture<Result>> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            results.add(submit(engine, raw("Stream " + i + " of round " + round + " tells a story:", TOKENS)));
        }
        int tokens = 0;
        for (CompletableFuture<Result> r : results) {
            tokens += r.join().done.stats().completionTokens();
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static GenerationRequest raw(String text, int tokens) {
        // Greedy: the random model then rarely meets its end-of-generation token, so every stream runs its length.
        return new GenerationRequest("bench:latest", new GenerationRequest.Raw(text),
                new GenerationOptions(0.0, null, null, null, 1, null, tokens, null, null, null));
    }

    private record Result(GenerationEvent.Done done, double firstTokenMillis) {
    }

    private static Result run(LlamaEngine engine, GenerationRequest request) {
        return submit(engine, request).join();
    }

    private static CompletableFuture<Result> submit(LlamaEngine engine, GenerationRequest request) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        long start = System.nanoTime();
        long[] first = {0};
        engine.submit(request, event -> {
            switch (event) {
                case GenerationEvent.Token t -> {
                    if (first[0] == 0) {
                        first[0] = System.nanoTime();
                    }
                }
                case GenerationEvent.Done d -> result.complete(new Result(d,
                        ((first[0] == 0 ? System.nanoTime() : first[0]) - start) / 1e6));
                case GenerationEvent.Failed f -> result.completeExceptionally(new IllegalStateException(f.message()));
            }
        });
        return result.orTimeout(10, TimeUnit.MINUTES);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}

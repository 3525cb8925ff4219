package dev.botgate.bench.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.knowledge.index.BgeEmbedder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the embedder should use the cores, measured in one run: onnxruntime's intra-op pool (2 threads inside each
 * call, one call at a time) against one thread a call with 2 calls in parallel. For each layout: bulk throughput on
 * ~220-token passages (what an import does), and for single short queries (what every bot message does) the latency
 * and the process CPU each query costs, which is where an intra-op pool's spinning shows. Rounds alternate between
 * the layouts so the machine's drifting load falls on both.
 * <pre>
 * bench/run dev.botgate.bench.knowledge.EmbedderBench ../shared/data [rounds]     # default 3
 * </pre>
 */
public final class EmbedderBench {
    private EmbedderBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JsonNode root = new ObjectMapper().readTree(data.resolve("cmrc2018_trial.json").toFile());
        List<String> passages = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (JsonNode item : root.get("data")) {
            for (JsonNode paragraph : item.get("paragraphs")) {
                String context = paragraph.get("context").asText();
                // ~300 characters of Chinese is ~220 tokens, the chunker's usual size.
                for (int at = 0; at + 100 < context.length() && passages.size() < 256; at += 300) {
                    passages.add(context.substring(at, Math.min(context.length(), at + 300)));
                }
                for (JsonNode qa : paragraph.get("qas")) {
                    if (questions.size() < 300 && !qa.get("question").asText().isBlank()) {
                        questions.add(qa.get("question").asText());
                    }
                }
            }
        }
        Path cache = Files.createTempDirectory("embedder-bench");
        String[] names = {"intra-op pool (2 threads in a call, 1 call)", "one thread a call, 2 calls in parallel"};
        BgeEmbedder[] layouts = {BgeEmbedder.load(cache, 2, 1, 1024), BgeEmbedder.load(cache, 1, 2, 1024)};
        double[][] bulk = new double[2][rounds];
        double[][] queryMs = new double[2][rounds];
        double[][] queryCpuMs = new double[2][rounds];
        for (BgeEmbedder e : layouts) {
            e.embed(passages.subList(0, 16));
            questions.subList(0, 20).forEach(e::embedQuery);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                int l = (k + round) % 2;
                BgeEmbedder e = layouts[l];
                long t0 = e.tokensEmbedded();
                long n0 = System.nanoTime();
                e.embed(passages);
                bulk[l][round] = (e.tokensEmbedded() - t0) / ((System.nanoTime() - n0) / 1e9);
                long cpu0 = os.getProcessCpuTime();
                n0 = System.nanoTime();
                for (String q : questions) {
                    e.embedQuery(q);
                    // A message arrives now and then, not back to back: the gap is when a spinning pool burns CPU.
                    Thread.sleep(2);
                }
                long wall = System.nanoTime() - n0 - questions.size() * 2_000_000L;
                queryMs[l][round] = wall / 1e6 / questions.size();
                queryCpuMs[l][round] = (os.getProcessCpuTime() - cpu0) / 1e6 / questions.size();
            }
        }
        System.out.printf(Locale.ROOT, "%d passages (~220 tokens), %d single queries with 2 ms between them, %d rounds"
                + " alternating (median):%n", passages.size(), questions.size(), rounds);
        for (int l = 0; l < 2; l++) {
            System.out.printf(Locale.ROOT, "  %-44s bulk %6.0f tokens/s   query %.2f ms, process CPU %.2f ms a query%n",
                    names[l], median(bulk[l]), median(queryMs[l]), median(queryCpuMs[l]));
        }
        System.out.printf(Locale.ROOT, "  ratio (parallel calls / intra-op pool): bulk %.2fx, query CPU %.2fx%n",
                median(bulk[1]) / median(bulk[0]), median(queryCpuMs[1]) / median(queryCpuMs[0]));
        for (BgeEmbedder e : layouts) {
            e.close();
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}

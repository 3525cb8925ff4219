package dev.botgate.bench.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.knowledge.index.BgeEmbedder;
import dev.botgate.knowledge.index.Fusion;
import dev.botgate.knowledge.index.ImportJob;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.KnowledgeOptions;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.index.Upload;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Retrieval quality and speed of the knowledge index, measured through a real server as {@code botgate serve} builds
 * it ({@link ServedKnowledge}): files uploaded over HTTP, questions asked of {@code POST /admin/kb/NAME/search}. The
 * speed part reads the server's own {@link KnowledgeBases} directly for search latency without HTTP; the direct-answer
 * sweep builds bases with other {@link KnowledgeOptions} in-process, since that option is no server setting.
 *
 * <ul>
 *   <li>CMRC 2018 trial: each of the 256 paragraphs imported as a text document (uploads, through the ingest
 *       chunker), each of the 1002 questions asked; hit@1, hit@5, MRR@10 at paragraph level.</li>
 *   <li>云杉 FAQ: faq.csv imported as a Q&amp;A upload; hit@1 and MRR@10 of the 80 covered questions by kind; the
 *       answer/fallback decision on all 100 at the default threshold.</li>
 *   <li>Speed (with {@code --speed N}): import of N chunks of CMRC text, embedded tokens/s; search latency with
 *       the query embedding; index size; heap after GC.</li>
 * </ul>
 * Every fusion ({@link Fusion#KEYWORD}, {@link Fusion#VECTOR}, {@link Fusion#RRF}, {@link Fusion#ADAPTIVE}) is
 * measured in the same run.
 *
 * <p>Run from the project root ({@code bench/run} builds the project and runs the class with its class path;
 * {@code BENCH_JAVA_OPTS=-Xmx1g} to bound the heap):
 * <pre>
 * bench/run dev.botgate.bench.knowledge.RetrievalBench ../shared/data --speed 10000
 * </pre>
 * Arguments: {@code DATA_DIR [--speed CHUNKS] [--dump FEATURES.tsv]}; {@code --dump} writes every candidate's
 * keyword evidence and cosine similarity per query, which is how the adaptive fusion's knots were chosen.
 * Skips a data set whose files are missing.
 */
public final class RetrievalBench {
    private static final List<Fusion> FUSIONS =
            List.of(Fusion.KEYWORD, Fusion.VECTOR, Fusion.RRF, Fusion.WEIGHTED, Fusion.ADAPTIVE);

    private RetrievalBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RetrievalBench DATA_DIR [--speed N] [--dump FILE]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        int speed = 0;
        Path dump = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--speed" -> speed = Integer.parseInt(args[++i]);
                case "--dump" -> dump = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("botgate-bench");
        // The server as `botgate serve` builds it: its own embedder, options and search API (what users get).
        ServedKnowledge bases = ServedKnowledge.start(work.resolve("home"), "");
        BgeEmbedder embedder = (BgeEmbedder) bases.botgate().parts().embedder();
        try (bases; PrintWriter features = dump == null ? null : new PrintWriter(Files.newBufferedWriter(dump))) {
            if (features != null) {
                features.println("set\tquery\tgold\tcovered\tkeyword\tcosine\tkeywordRank\tvectorRank\tqa");
            }
            Path cmrc = data.resolve("cmrc2018_trial.json");
            if (Files.exists(cmrc)) {
                cmrc(bases, embedder, cmrc, features);
            } else {
                System.out.println("CMRC: " + cmrc + " missing, skipped");
            }
            Path faq = data.resolve("faq-yunshan");
            if (Files.exists(faq.resolve("faq.csv")) && Files.exists(faq.resolve("queries.jsonl"))) {
                faq(bases, embedder, work, faq, features);
            } else {
                System.out.println("FAQ: " + faq + " missing, skipped");
            }
            if (speed > 0 && Files.exists(cmrc)) {
                speed(bases, embedder, cmrc, speed);
            }
        } finally {
            deleteTree(work);
        }
    }

    // ---- CMRC -------------------------------------------------------------------------------------------------

    private static void cmrc(ServedKnowledge bases, BgeEmbedder embedder, Path file, PrintWriter features)
            throws Exception {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<Upload> uploads = new ArrayList<>();
        List<String[]> questions = new ArrayList<>(); // {question, source}
        for (JsonNode item : root.get("data")) {
            for (JsonNode paragraph : item.get("paragraphs")) {
                String source = paragraph.get("id").asText() + ".txt";
                uploads.add(new Upload(source, paragraph.get("context").asText().getBytes(StandardCharsets.UTF_8)));
                for (JsonNode qa : paragraph.get("qas")) {
                    if (!qa.get("question").asText().isBlank()) { // the trial set has one empty question
                        questions.add(new String[] {qa.get("question").asText(), source});
                    }
                }
            }
        }
        bases.create("cmrc");
        long tokens0 = embedder.tokensEmbedded();
        ServedKnowledge.Imported job = bases.upload("cmrc", uploads);
        long tokens = embedder.tokensEmbedded() - tokens0;
        System.out.printf(Locale.ROOT, "CMRC import: %d paragraphs -> %d chunks (%d skipped) in %.1f s, "
                        + "%.0f embedded tokens/s%n", uploads.size(), job.chunks(), job.skipped(),
                job.seconds(), tokens / job.seconds());

        System.out.println("\nCMRC 2018 trial, " + questions.size() + " questions, paragraph level");
        System.out.println("| fusion | hit@1 | hit@5 | MRR@10 |");
        System.out.println("|---|---|---|---|");
        for (Fusion fusion : FUSIONS) {
            double hit1 = 0;
            double hit5 = 0;
            double mrr = 0;
            for (String[] q : questions) {
                List<SearchHit> hits = bases.search(SearchRequest.builder(q[0]).bases("cmrc").top(50)
                        .minScore(Double.NEGATIVE_INFINITY).fusion(fusion).build());
                int rank = rankOf(hits.stream().map(SearchHit::source).toList(), q[1]);
                hit1 += rank == 1 ? 1 : 0;
                hit5 += rank >= 1 && rank <= 5 ? 1 : 0;
                mrr += rank >= 1 && rank <= 10 ? 1.0 / rank : 0;
                if (features != null && fusion == Fusion.VECTOR) {
                    List<SearchHit> all = bases.search(SearchRequest.builder(q[0]).bases("cmrc").top(100)
                            .minScore(Double.NEGATIVE_INFINITY).fusion(Fusion.VECTOR).build());
                    dump(features, "cmrc", q[0], all, h -> h.source().equals(q[1]), true);
                }
            }
            int n = questions.size();
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", name(fusion), hit1 / n, hit5 / n,
                    mrr / n);
        }
    }

    // ---- FAQ --------------------------------------------------------------------------------------------------

    private static void faq(ServedKnowledge bases, BgeEmbedder embedder, Path work, Path dir, PrintWriter features)
            throws Exception {
        byte[] csv = Files.readAllBytes(dir.resolve("faq.csv"));
        List<String> faqQuestions = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(dir.resolve("faq.csv"))) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                faqQuestions.add(rec.get(0).strip());
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> queries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                queries.add(json.readTree(line));
            }
        }
        bases.create("faq");
        ServedKnowledge.Imported job = bases.upload("faq", List.of(new Upload("faq.csv", csv)));
        System.out.printf(Locale.ROOT, "%nFAQ import: %d Q&A chunks in %.1f s%n", job.chunks(), job.seconds());

        System.out.println("\n云杉 FAQ: " + queries.stream().filter(q -> q.get("faq").asInt() >= 0).count()
                + " covered questions (hit@1 / MRR@10), by kind");
        Map<String, List<JsonNode>> byKind = new TreeMap<>();
        for (JsonNode q : queries) {
            if (q.get("faq").asInt() >= 0) {
                byKind.computeIfAbsent(q.get("kind").asText(), k -> new ArrayList<>()).add(q);
            }
        }
        StringBuilder header = new StringBuilder("| fusion | all |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Map.Entry<String, List<JsonNode>> e : byKind.entrySet()) {
            header.append(' ').append(e.getKey()).append(" (").append(e.getValue().size()).append(") |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        Map<Fusion, List<SearchHit>> topOf = new LinkedHashMap<>();
        for (Fusion fusion : FUSIONS) {
            Map<String, double[]> sums = new TreeMap<>(); // kind -> {hit1, mrr, n}
            for (JsonNode q : queries) {
                int gold = q.get("faq").asInt();
                List<SearchHit> hits = bases.search(SearchRequest.builder(q.get("q").asText()).bases("faq").top(10)
                        .minScore(Double.NEGATIVE_INFINITY).fusion(fusion).build());
                if (features != null && fusion == Fusion.VECTOR) {
                    List<SearchHit> all = bases.search(SearchRequest.builder(q.get("q").asText()).bases("faq")
                            .top(100).minScore(Double.NEGATIVE_INFINITY).fusion(Fusion.VECTOR).build());
                    dump(features, "faq", q.get("q").asText(), all,
                            h -> gold >= 0 && h.question().equals(faqQuestions.get(gold)), gold >= 0);
                }
                if (gold < 0) {
                    continue;
                }
                int rank = rankOf(hits.stream().map(SearchHit::question).toList(), faqQuestions.get(gold));
                for (String kind : List.of("all", q.get("kind").asText())) {
                    double[] s = sums.computeIfAbsent(kind, k -> new double[3]);
                    s[0] += rank == 1 ? 1 : 0;
                    s[1] += rank >= 1 && rank <= 10 ? 1.0 / rank : 0;
                    s[2]++;
                }
            }
            StringBuilder row = new StringBuilder("| " + name(fusion) + " |");
            double[] all = sums.get("all");
            row.append(String.format(Locale.ROOT, " %.3f / %.3f |", all[0] / all[2], all[1] / all[2]));
            for (String kind : byKind.keySet()) {
                double[] s = sums.get(kind);
                row.append(String.format(Locale.ROOT, " %.2f / %.2f |", s[0] / s[2], s[1] / s[2]));
            }
            System.out.println(row);
        }

        // Answer or fall back, as a bot would: the default request (adaptive, default threshold), top hit only.
        System.out.println("\nAnswer/fallback on all " + queries.size() + " questions (answer when the top hit "
                + "scores at least the threshold; correct = the right entry answered, or an uncovered one declined)");
        System.out.println("| threshold | decisions correct | answered | precision of answered | direct answers "
                + "(precision) |");
        System.out.println("|---|---|---|---|---|");
        for (double threshold : new double[] {SearchRequest.DEFAULT_MIN_SCORE, 0.5, 0.55, 0.65,
                Double.NEGATIVE_INFINITY}) {
            int correct = 0;
            int answered = 0;
            int answeredRight = 0;
            int direct = 0;
            int directRight = 0;
            for (JsonNode q : queries) {
                int gold = q.get("faq").asInt();
                List<SearchHit> hits = bases.search(SearchRequest.builder(q.get("q").asText()).bases("faq").top(1)
                        .minScore(threshold).build());
                boolean right = !hits.isEmpty() && gold >= 0
                        && hits.getFirst().question().equals(faqQuestions.get(gold));
                if (!hits.isEmpty()) {
                    answered++;
                    answeredRight += right ? 1 : 0;
                    if (hits.getFirst().directAnswer()) {
                        direct++;
                        directRight += right ? 1 : 0;
                    }
                }
                correct += (right || (hits.isEmpty() && gold < 0)) ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "| %s%s | %.2f | %d | %.3f | %d (%.3f) |%n",
                    Double.isInfinite(threshold) ? "none (answer all)" : String.format(Locale.ROOT, "%.2f", threshold),
                    threshold == SearchRequest.DEFAULT_MIN_SCORE ? " (search API default; bots: answer modes)" : "",
                    (double) correct / queries.size(), answered, answered == 0 ? 0 : (double) answeredRight / answered,
                    direct, direct == 0 ? 0 : (double) directRight / direct);
        }
        directAnswers(embedder, work, csv, queries, faqQuestions);
    }

    /** Direct answers (answered from the Q&amp;A entry without a model) at several question-similarity settings. */
    private static void directAnswers(BgeEmbedder embedder, Path work, byte[] csv, List<JsonNode> queries,
                                      List<String> faqQuestions) throws Exception {
        System.out.println("\nDirect answers on all " + queries.size() + " questions (top hit flagged direct; "
                + "KnowledgeOptions.directAnswerSimilarity)");
        System.out.println("| question similarity | direct answers | right | wrong entry | uncovered answered |");
        System.out.println("|---|---|---|---|---|");
        for (double similarity : new double[] {0.6, 0.65, 0.7, 0.75, 0.8, 0.85}) {
            KnowledgeOptions options = KnowledgeOptions.builder().directAnswerSimilarity(similarity).build();
            try (KnowledgeBases bases = new KnowledgeBases(work.resolve("direct-" + similarity), embedder, options)) {
                bases.create("faq");
                await(bases, bases.startUpload("faq", List.of(new Upload("faq.csv", csv)), Set.of()));
                int direct = 0;
                int right = 0;
                int uncovered = 0;
                for (JsonNode q : queries) {
                    int gold = q.get("faq").asInt();
                    List<SearchHit> hits = bases.search(SearchRequest.builder(q.get("q").asText()).bases("faq")
                            .top(1).build());
                    if (!hits.isEmpty() && hits.getFirst().directAnswer()) {
                        direct++;
                        if (gold < 0) {
                            uncovered++;
                        } else if (hits.getFirst().question().equals(faqQuestions.get(gold))) {
                            right++;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "| %.2f%s | %d | %d | %d | %d |%n", similarity,
                        similarity == KnowledgeOptions.defaults().directAnswerSimilarity() ? " (default)" : "",
                        direct, right, direct - right - uncovered, uncovered);
            }
        }
    }

    // ---- speed ------------------------------------------------------------------------------------------------

    private static void speed(ServedKnowledge served, BgeEmbedder embedder, Path cmrc, int target) throws Exception {
        JsonNode root = new ObjectMapper().readTree(cmrc.toFile());
        List<String> paragraphs = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (JsonNode item : root.get("data")) {
            for (JsonNode paragraph : item.get("paragraphs")) {
                paragraphs.add(paragraph.get("context").asText());
                for (JsonNode qa : paragraph.get("qas")) {
                    if (!qa.get("question").asText().isBlank()) {
                        questions.add(qa.get("question").asText());
                    }
                }
            }
        }
        // Repeat CMRC text with a distinct prefix per copy until the chunker has made `target` chunks.
        KnowledgeBases bases = served.botgate().parts().knowledge(); // the server's own, for direct reads
        List<Upload> uploads = new ArrayList<>();
        long chunkEstimate = 0;
        double chunksPerParagraph = (double) served.chunks("cmrc") / paragraphs.size();
        for (int copy = 0; chunkEstimate < target; copy++) {
            for (int p = 0; p < paragraphs.size() && chunkEstimate < target; p++) {
                String text = "第" + copy + "版。" + paragraphs.get(p);
                uploads.add(new Upload("copy" + copy + "-p" + p + ".txt", text.getBytes(StandardCharsets.UTF_8)));
                chunkEstimate = Math.round(uploads.size() * chunksPerParagraph);
            }
        }
        // The batching claim, measured in this run (load on a shared machine drifts): one text per call vs the
        // embedder's length-sorted batches, on the same 192 chunks, twice each, alternating.
        List<String> sample = new ArrayList<>();
        for (var d : bases.chunks("cmrc", bases.documents("cmrc").get(0).id())) {
            sample.add(d.text());
        }
        for (int i = 1; sample.size() < 192; i++) {
            for (var d : bases.chunks("cmrc", bases.documents("cmrc").get(i).id())) {
                sample.add(d.text());
            }
        }
        double single = 0;
        double batched = 0;
        for (int round = 0; round < 2; round++) {
            long t0 = embedder.tokensEmbedded();
            long n0 = System.nanoTime();
            for (String text : sample) {
                embedder.embed(List.of(text));
            }
            single += (embedder.tokensEmbedded() - t0) / ((System.nanoTime() - n0) / 1e9) / 2;
            t0 = embedder.tokensEmbedded();
            n0 = System.nanoTime();
            embedder.embed(sample);
            batched += (embedder.tokensEmbedded() - t0) / ((System.nanoTime() - n0) / 1e9) / 2;
        }
        System.out.printf(Locale.ROOT, "%nEmbedding %d CMRC chunks: one per call %.0f tokens/s, batched "
                        + "(length-sorted, up to %d tokens a call) %.0f tokens/s: %.2fx%n", sample.size(), single,
                embedder.batchTokens(), batched, batched / single);

        served.create("speed");
        long tokens0 = embedder.tokensEmbedded();
        ServedKnowledge.Imported job = served.upload("speed", uploads);
        long tokens = embedder.tokensEmbedded() - tokens0;
        double s = job.seconds();
        System.out.printf(Locale.ROOT, "%nSpeed: imported %d documents, %d chunks, %d tokens in %.1f s: "
                        + "%.0f embedded tokens/s, %.1f chunks/s%n", uploads.size(), job.chunks(), tokens, s,
                tokens / s, job.chunks() / s);

        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // warm-up
            bases.search(SearchRequest.builder(questions.get(i)).bases("speed").build());
        }
        for (int i = 0; i < questions.size(); i++) {
            long t = System.nanoTime();
            bases.search(SearchRequest.builder(questions.get(i)).bases("speed").build());
            nanos.add(System.nanoTime() - t);
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        long e0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            embedder.embedQuery(questions.get(i));
        }
        double embedMs = (System.nanoTime() - e0) / 1e6 / 200;
        System.out.printf(Locale.ROOT, "Search (adaptive, top 10, %d queries, query embedding included): "
                        + "p50 %.1f ms, p99 %.1f ms, max %.1f ms; query embedding alone %.1f ms mean%n",
                sorted.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6, embedMs);
        System.out.printf(Locale.ROOT, "Index: %d chunks, %.1f MiB on disk%n", bases.info("speed").chunks(),
                bases.info("speed").sizeBytes() / 1048576.0);
        System.gc();
        Thread.sleep(200);
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "Heap used after GC, all three bases open: %.0f MiB (max heap %d MiB)%n",
                used / 1048576.0, Runtime.getRuntime().maxMemory() >> 20);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static void dump(PrintWriter out, String set, String query, List<SearchHit> hits,
                             java.util.function.Predicate<SearchHit> gold, boolean covered) {
        String q = query.replace('\t', ' ');
        for (SearchHit h : hits) {
            out.printf(Locale.ROOT, "%s\t%s\t%d\t%d\t%.5f\t%.5f\t%d\t%d\t%s%n", set, q, gold.test(h) ? 1 : 0,
                    covered ? 1 : 0, h.keywordScore(), h.vectorSimilarity(), h.keywordRank(), h.vectorRank(),
                    h.kind());
        }
    }

    /** 1-based rank of {@code gold} among distinct keys in order, -1 when absent. */
    private static int rankOf(List<String> keys, String gold) {
        List<String> distinct = keys.stream().distinct().toList();
        int i = distinct.indexOf(gold);
        return i < 0 ? -1 : i + 1;
    }

    private static String name(Fusion f) {
        return switch (f) {
            case KEYWORD -> "BM25 only";
            case VECTOR -> "dense only";
            case RRF -> "RRF";
            case ADAPTIVE -> "adaptive (default)";
            case WEIGHTED -> "fixed weight (keyword 1.0)";
        };
    }

    private static ImportJob await(KnowledgeBases bases, ImportJob started) throws InterruptedException {
        ImportJob job = started;
        while (!job.finished()) {
            Thread.sleep(100);
            job = bases.job(started.id()).orElseThrow();
        }
        if (job.state() != ImportJob.State.DONE) {
            throw new IllegalStateException("import failed: " + job.error());
        }
        return job;
    }

    private static double seconds(ImportJob job) {
        return job.elapsed().toNanos() / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

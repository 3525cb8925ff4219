package dev.botgate.bench.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.knowledge.index.BgeEmbedder;
import dev.botgate.knowledge.index.ChunkInfo;
import dev.botgate.knowledge.index.DocumentInfo;
import dev.botgate.knowledge.index.ImportJob;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.KnowledgeOptions;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.index.Upload;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The review loop measured: does teaching the bot its misses help, and does it hurt what it was not taught?
 *
 * <p>The 云杉 FAQ's visible queries that have an entry are split in two halves by entry (even and odd entry numbers,
 * so one entry's queries never sit in both). For each direction (teach A, test B; teach B, test A), on a fresh import
 * of faq.csv: hit@1 of both halves; then every query of the taught half whose top hit is not its entry is attached
 * to that entry as a similar phrasing with {@link KnowledgeBases#addPhrasings} (exactly what resolving a review group
 * with "attach" does, no re-import); then hit@1 again. Beside hit@1: at the default threshold
 * ({@link SearchRequest#DEFAULT_MIN_SCORE}, the bots' default), how many held-out queries are answered with the right
 * entry, with a wrong one, or fall back, and how many out-of-scope queries get an answer at all, before and after.
 * Run twice: feeding back every miss, and every miss but the English ones (the bundled embedder is a Chinese model,
 * and English phrasings sit close to each other in its space).
 * Search is the bots' own: {@link KnowledgeBases#search} with the default request options.
 *
 * <p>Run from the project root (the data are read where they lie, never copied into the project):
 * <pre>
 * bench/run dev.botgate.bench.knowledge.ReviewLoopBench ../shared/data/faq-yunshan [--verbose]
 * </pre>
 * {@code --verbose} lists on stderr the phrasings taught and every held-out query whose top hit changed.
 */
public final class ReviewLoopBench {
    private ReviewLoopBench() {
    }

    private record Query(String q, int gold, String kind) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].equals("--verbose"))) {
            System.err.println("usage: ReviewLoopBench FAQ_DIR [--verbose]   (FAQ_DIR holds faq.csv and queries.jsonl)");
            System.exit(2);
        }
        boolean verbose = args.length == 2;
        Path dir = Path.of(args[0]);
        byte[] csv = Files.readAllBytes(dir.resolve("faq.csv"));
        List<String> entries = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(dir.resolve("faq.csv"))) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                entries.add(rec.get(0).strip());
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<Query> queries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode n = json.readTree(line);
                queries.add(new Query(n.get("q").asText(), n.get("faq").asInt(), n.get("kind").asText()));
            }
        }
        List<Query> even = queries.stream().filter(q -> q.gold() >= 0 && q.gold() % 2 == 0).toList();
        List<Query> odd = queries.stream().filter(q -> q.gold() >= 0 && q.gold() % 2 == 1).toList();
        List<Query> outOfScope = queries.stream().filter(q -> q.gold() < 0).toList();
        System.out.printf(Locale.ROOT, "%d entries; queries: %d on even entries (A), %d on odd entries (B), %d out "
                + "of scope; default threshold %.2f%n", entries.size(), even.size(), odd.size(), outOfScope.size(),
                SearchRequest.DEFAULT_MIN_SCORE);
        Path work = Files.createTempDirectory("botgate-review-bench");
        BgeEmbedder embedder = BgeEmbedder.load(work.resolve("native"));
        System.out.println("\n| taught | misses fed back | held out | hit@1 held out before → after | hit@1 taught before → after "
                + "| phrasings added | held out at the threshold: right / wrong / fallback, before → after "
                + "| out of scope answered, before → after | seconds per phrasing |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        int run = 0;
        for (int variant = 0; variant < 4; variant++) {
            boolean englishToo = variant < 2;
            boolean teachEven = variant % 2 == 0;
            List<Query> taught = teachEven ? even : odd;
            List<Query> held = teachEven ? odd : even;
            try (KnowledgeBases bases = new KnowledgeBases(work.resolve("kb" + run++), embedder,
                    KnowledgeOptions.defaults())) {
                bases.create("faq");
                await(bases, bases.startUpload("faq", List.of(new Upload("faq.csv", csv)), Set.of()));
                Map<String, String> chunkOf = new HashMap<>();
                for (DocumentInfo d : bases.documents("faq")) {
                    for (ChunkInfo c : bases.chunks("faq", d.id())) {
                        chunkOf.put(c.questions().getFirst(), c.id());
                    }
                }
                Eval heldBefore = eval(bases, held, entries);
                Eval taughtBefore = eval(bases, taught, entries);
                Eval outBefore = eval(bases, outOfScope, entries);
                // The misses are taken before anything is taught, as an operator sees them in the queue.
                List<Query> misses = new ArrayList<>();
                for (Query q : taught) {
                    List<SearchHit> top = search(bases, q.q(), 1);
                    if ((top.isEmpty() || !top.getFirst().question().equals(entries.get(q.gold())))
                            && (englishToo || !q.kind().equals("english"))) {
                        misses.add(q);
                    }
                }
                Map<String, String> heldTopBefore = tops(bases, held);
                long t0 = System.nanoTime();
                for (Query q : misses) {
                    bases.addPhrasings("faq", chunkOf.get(entries.get(q.gold())), List.of(q.q()));
                }
                int added = misses.size();
                double perPhrasing = added == 0 ? 0 : (System.nanoTime() - t0) / 1e9 / added;
                if (verbose) {
                    misses.forEach(q -> System.err.println("taught: " + q.q() + " -> " + entries.get(q.gold())));
                    for (Query q : misses) {
                        List<SearchHit> top = search(bases, q.q(), 10);
                        if (!top.getFirst().question().equals(entries.get(q.gold()))) {
                            SearchHit gold = top.stream().filter(h -> h.question().equals(entries.get(q.gold())))
                                    .findFirst().orElse(null);
                            System.err.printf(Locale.ROOT, "taught but still missed: %s -> %s (%.2f = cos %.2f + kw "
                                    + "%.2f); its entry %s%n", q.q(), top.getFirst().question(), top.getFirst().score(),
                                    top.getFirst().vectorSimilarity(), top.getFirst().keywordScore(), gold == null
                                            ? "not in the top 10" : String.format(Locale.ROOT, "%.2f = cos %.2f + kw "
                                            + "%.2f", gold.score(), gold.vectorSimilarity(), gold.keywordScore()));
                        }
                    }
                    Map<String, String> heldTopAfter = tops(bases, held);
                    for (Query q : held) {
                        String before = heldTopBefore.get(q.q());
                        String after = heldTopAfter.get(q.q());
                        if (!before.substring(0, before.lastIndexOf(" (")).equals(after.substring(0,
                                after.lastIndexOf(" (")))) {
                            System.err.println("held-out top-1 changed: " + q.q() + " [" + q.kind() + "] gold "
                                    + entries.get(q.gold()) + ": " + heldTopBefore.get(q.q()) + " -> "
                                    + heldTopAfter.get(q.q()));
                        }
                    }
                }
                Eval heldAfter = eval(bases, held, entries);
                Eval taughtAfter = eval(bases, taught, entries);
                Eval outAfter = eval(bases, outOfScope, entries);
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f → %.3f | %.3f → %.3f | %d | %d/%d/%d → %d/%d/%d "
                                + "| %d → %d | %.3f |%n",
                        teachEven ? "A" : "B", englishToo ? "all" : "all but English", teachEven ? "B" : "A",
                        heldBefore.hit1(), heldAfter.hit1(),
                        taughtBefore.hit1(), taughtAfter.hit1(), added,
                        heldBefore.right(), heldBefore.wrong(), heldBefore.fallback(),
                        heldAfter.right(), heldAfter.wrong(), heldAfter.fallback(),
                        outBefore.answered(), outAfter.answered(), perPhrasing);
            }
        }
        embedder.close();
    }

    /** hit@1 (in-scope), and the answer decision at the default threshold. */
    private record Eval(double hit1, int right, int wrong, int fallback, int answered) {
    }

    private static Eval eval(KnowledgeBases bases, List<Query> queries, List<String> entries) {
        int hits = 0;
        int right = 0;
        int wrong = 0;
        int fallback = 0;
        for (Query q : queries) {
            List<SearchHit> top = search(bases, q.q(), 1);
            boolean correct = q.gold() >= 0 && !top.isEmpty() && top.getFirst().question().equals(entries.get(q.gold()));
            hits += correct ? 1 : 0;
            boolean answers = !top.isEmpty() && top.getFirst().score() >= SearchRequest.DEFAULT_MIN_SCORE;
            if (!answers) {
                fallback++;
            } else if (correct) {
                right++;
            } else {
                wrong++;
            }
        }
        return new Eval(queries.isEmpty() ? 0 : (double) hits / queries.size(), right, wrong, fallback, right + wrong);
    }

    private static Map<String, String> tops(KnowledgeBases bases, List<Query> queries) {
        Map<String, String> out = new HashMap<>();
        for (Query q : queries) {
            List<SearchHit> top = search(bases, q.q(), 1);
            out.put(q.q(), top.isEmpty() ? " (0)" : top.getFirst().question() + String.format(Locale.ROOT, " (%.2f)",
                    top.getFirst().score()));
        }
        return out;
    }

    private static List<SearchHit> search(KnowledgeBases bases, String q, int top) {
        return bases.search(SearchRequest.builder(q).bases("faq").top(top).minScore(Double.NEGATIVE_INFINITY)
                .build());
    }

    private static void await(KnowledgeBases bases, ImportJob started) throws InterruptedException {
        ImportJob job = started;
        while (!job.finished()) {
            Thread.sleep(100);
            job = bases.job(started.id()).orElseThrow();
        }
        if (job.state() != ImportJob.State.DONE) {
            throw new IllegalStateException("import failed: " + job.error());
        }
    }
}

package dev.botgate.gateway.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.gateway.Metrics;
import dev.botgate.gateway.pipeline.Answer;
import dev.botgate.gateway.pipeline.AnswerHooks;
import dev.botgate.gateway.pipeline.Bot;
import dev.botgate.knowledge.index.ChunkInfo;
import dev.botgate.knowledge.index.Embedder;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.ingest.Chunk;
import java.lang.System.Logger.Level;
import java.text.Normalizer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The review queue. Questions come in from the answer hooks (every fallback), from operators' thumbs-down and from
 * handoffs; each joins the open group of its bot whose question is the same once normalised or embeds within
 * {@link #SAME_QUESTION} cosine of it, or starts a group. Intake runs on one background thread (embedding a question
 * is a native call, and the answer should not wait for it). Resolving a group changes the knowledge base at once and
 * records what was done.
 */
public final class ReviewQueue implements AnswerHooks, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReviewQueue.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Cosine at or above which two questions are grouped: bge-small-zh puts paraphrases (如何退货 / 退货流程是什么)
     * near 0.80-0.95 and unrelated questions below 0.5; 0.85 keeps different asks apart at the cost of splitting
     * some paraphrases, which the operator resolves with one more click.
     */
    static final double SAME_QUESTION = 0.85;
    /** Questions waiting to be grouped and stored. */
    static final int INTAKE_QUEUE = 10_000;
    private final ReviewStore store;
    private final Embedder embedder;
    private final KnowledgeBases knowledge;
    private final Map<String, Bot> bots;
    private final Clock clock;
    private final Metrics metrics;
    private final ExecutorService intake;

    public ReviewQueue(ReviewStore store, Embedder embedder, KnowledgeBases knowledge, Map<String, Bot> bots,
                       Clock clock, Metrics metrics, java.util.concurrent.ThreadFactory threads) {
        this.store = store;
        this.embedder = embedder;
        this.knowledge = knowledge;
        this.bots = Map.copyOf(bots);
        this.clock = clock;
        this.metrics = metrics;
        // Bounded: a flood of fallbacks (spam, an outage of the knowledge base) must not grow memory without end;
        // past the bound new questions are dropped and counted.
        this.intake = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(INTAKE_QUEUE), threads,
                (task, pool) -> {
                    if (!pool.isShutdown()) {
                        metrics.inc("botgate_review_dropped_total", "", 1);
                    }
                });
        metrics.describe("botgate_review_items_total", "questions queued for review, by bot and reason");
        metrics.describe("botgate_review_resolved_total", "review groups resolved, by action");
        metrics.describe("botgate_review_dropped_total", "questions not queued for review because "
                + INTAKE_QUEUE + " were already waiting to be stored");
    }

    @Override
    public Answer after(Bot bot, String conversation, String user, String question, Answer answer) {
        if (answer.policy() == Answer.Policy.FALLBACK) {
            add(bot.id(), conversation, "fallback", question, answer.text(), 0);
        }
        return answer;
    }

    /**
     * Queues a question (in the background).
     *
     * @param reason    {@code fallback}, {@code thumbs-down} or {@code handoff}
     * @param messageId the message record's id, 0 when not known
     */
    public void add(String bot, String conversation, String reason, String question, String answer, long messageId) {
        if (question.isBlank()) {
            return;
        }
        metrics.inc("botgate_review_items_total", "bot=\"" + bot + "\",reason=\"" + reason + "\"", 1);
        intake.execute(() -> {
            try {
                store.addItem(groupFor(bot, question), bot, conversation, reason, question.strip(), answer,
                        messageId, clock.instant());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "queueing a question for review failed: " + e.getMessage());
            }
        });
    }

    /** Records an operator's rating of an answer; a thumbs-down queues the question. */
    public void rate(String bot, String conversation, long messageId, String question, String answer, boolean up) {
        store.rating(messageId, up ? "up" : "down", clock.instant());
        if (!up) {
            add(bot, conversation, "thumbs-down", question, answer, messageId);
        }
    }

    private long groupFor(String bot, String question) {
        String normal = normalise(question);
        float[] v = embedder.embedQuery(question.strip());
        long best = -1;
        double bestCos = SAME_QUESTION;
        for (ReviewStore.GroupVector g : store.openGroups(bot)) {
            if (normalise(g.question()).equals(normal)) {
                return g.id();
            }
            if (g.vector() != null && g.vector().length == v.length) {
                double cos = dot(v, g.vector());
                if (cos >= bestCos) {
                    bestCos = cos;
                    best = g.id();
                }
            }
        }
        return best >= 0 ? best : store.newGroup(bot, question.strip(), v, clock.instant());
    }

    /** Case, width and punctuation folded: 怎么退货？ and 怎么退货 are one question. */
    static String normalise(String q) {
        String n = Normalizer.normalize(q, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return n.replaceAll("[\\p{P}\\p{S}\\s]+", "");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s; // both L2-normalised by the embedder
    }

    /**
     * A group and the entries its question comes closest to, to attach it to in one step.
     *
     * @param suggestions Q&amp;A entries of the bot's knowledge bases, best first
     */
    public record Listed(ReviewGroup group, List<Suggestion> suggestions) {
    }

    /** An existing Q&amp;A entry a group could be attached to. */
    public record Suggestion(String base, String chunkId, String question, String answer, double score) {
    }

    /** Groups in a status ({@code open}, {@code resolved}, {@code dismissed}), oldest first. */
    public List<Listed> list(String status, int limit) {
        if (!Set.of("open", "resolved", "dismissed").contains(status)) {
            throw new ReviewException(400, "status must be open, resolved or dismissed, got '" + status + "'");
        }
        List<Listed> out = new ArrayList<>();
        for (ReviewGroup g : store.groups(status, limit)) {
            out.add(new Listed(g, status.equals("open") ? suggestions(g) : List.of()));
        }
        return out;
    }

    private List<Suggestion> suggestions(ReviewGroup g) {
        Bot bot = bots.get(g.bot());
        if (bot == null || bot.config().knowledge().isEmpty()) {
            return List.of();
        }
        Set<String> present = new HashSet<>();
        knowledge.list().forEach(b -> present.add(b.name()));
        List<String> bases = bot.config().knowledge().stream().filter(present::contains).toList();
        if (bases.isEmpty()) {
            return List.of();
        }
        List<Suggestion> out = new ArrayList<>();
        for (SearchHit h : knowledge.search(SearchRequest.builder(g.question()).bases(bases).top(10)
                .minScore(Double.NEGATIVE_INFINITY).build())) {
            if (h.kind() == Chunk.Kind.QA && out.size() < 3) {
                out.add(new Suggestion(h.base(), h.chunkId(), h.question(), h.answer(), h.score()));
            }
        }
        return out;
    }

    /** Resolves an open group; the knowledge base changes at once. Returns the group as recorded. */
    public ReviewGroup resolve(long id, Resolution resolution) {
        ReviewGroup g = store.group(id).orElseThrow(() -> new ReviewException(404, "no review item " + id));
        if (!g.status().equals("open")) {
            throw new ReviewException(409, "review item " + id + " was already " + g.status());
        }
        Set<String> questions = new LinkedHashSet<>();
        questions.add(g.question());
        g.items().forEach(i -> questions.add(i.question()));
        Map<String, Object> record = new LinkedHashMap<>();
        String status = "resolved";
        switch (resolution) {
            case Resolution.Attach a -> {
                String base = base(g, a.base());
                ChunkInfo entry = knowledge.addPhrasings(base, a.chunkId(), List.copyOf(questions));
                record.put("action", "attach");
                record.put("base", base);
                record.put("chunk_id", entry.id());
                record.put("phrasings", List.copyOf(questions));
            }
            case Resolution.NewEntry n -> {
                String base = base(g, n.base());
                String question = n.question().isBlank() ? g.question() : n.question().strip();
                ChunkInfo entry = knowledge.addEntry(base, "review/" + id, question, question, n.answer(),
                        Set.of("review"));
                List<String> others = questions.stream().filter(q -> !q.equals(question)).toList();
                if (!others.isEmpty()) {
                    entry = knowledge.addPhrasings(base, entry.id(), others);
                }
                record.put("action", "new-entry");
                record.put("base", base);
                record.put("chunk_id", entry.id());
                record.put("question", question);
                record.put("phrasings", others);
            }
            case Resolution.Dismiss d -> {
                status = "dismissed";
                record.put("action", "dismiss");
                record.put("note", d.note());
            }
        }
        String json;
        try {
            json = JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!store.resolve(id, status, json, clock.instant())) {
            throw new ReviewException(409, "review item " + id + " was resolved by someone else meanwhile");
        }
        metrics.inc("botgate_review_resolved_total", "action=\"" + record.get("action") + "\"", 1);
        return store.group(id).orElseThrow();
    }

    /** The base to change: the one named, or the bot's only one; it must be one the bot searches. */
    private String base(ReviewGroup g, String base) {
        Bot bot = bots.get(g.bot());
        List<String> searched = bot == null ? List.of() : bot.config().knowledge();
        if (base.isBlank()) {
            if (searched.size() != 1) {
                throw new ReviewException(400, "name the knowledge base in 'base'; bot '" + g.bot() + "' searches "
                        + searched);
            }
            return searched.getFirst();
        }
        if (bot != null && !searched.contains(base)) {
            throw new ReviewException(400, "bot '" + g.bot() + "' does not search knowledge base '" + base
                    + "'; it searches " + searched);
        }
        return base;
    }

    /** Stores the questions queued so far, then closes the store (which this object owns). */
    @Override
    public void close() {
        intake.shutdown();
        try {
            intake.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}

package dev.botgate.gateway;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.backend.engine.ContextOverflow;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineOptions;
import dev.botgate.backend.engine.LlamaEngine;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.PullPolicy;
import dev.botgate.gateway.handoff.HandoffStore;
import dev.botgate.gateway.handoff.Handoffs;
import dev.botgate.gateway.handoff.OnCallNotifier;
import dev.botgate.gateway.pipeline.AnswerHooks;
import dev.botgate.gateway.pipeline.BotAnswerer;
import dev.botgate.gateway.review.ReviewQueue;
import dev.botgate.gateway.review.ReviewStore;
import dev.botgate.gateway.pipeline.ConversationContext;
import dev.botgate.gateway.pipeline.ConversationWorkers;
import dev.botgate.gateway.pipeline.InboundDispatcher;
import dev.botgate.gateway.pipeline.MessageLog;
import dev.botgate.gateway.pipeline.Passage;
import dev.botgate.gateway.pipeline.Retriever;
import dev.botgate.knowledge.index.BaseInfo;
import dev.botgate.knowledge.index.BgeEmbedder;
import dev.botgate.knowledge.index.Embedder;
import dev.botgate.knowledge.index.ImportJob;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.KnowledgeOptions;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.index.Upload;
import dev.botgate.knowledge.ingest.ChunkingOptions;
import dev.botgate.knowledge.ingest.ReadLimits;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Builds the application's parts from its settings, in one visible place (STYLE R6). */
public final class Wiring {
    private static final System.Logger LOG = System.getLogger(Wiring.class.getName());
    /** The sample knowledge base that the default demo bot answers from. */
    static final String DEMO_KB = "demo";
    /** Tokens per embedding call: measured best for ~220-token chunks on 2 cores (bench/RESULTS.md). */
    public static final int EMBED_BATCH_TOKENS = 1024;
    private static final List<String> SAMPLE_FILES = List.of("qinghe-faq.csv", "after-sales-policy.md");

    private Wiring() {
    }

    /** Parts with the real llama.cpp engine. */
    public static Botgate.Parts create(Settings settings, Map<String, String> env) {
        return create(settings, env, store -> new LlamaEngine(engineOptions(settings), store));
    }

    /** Parts with the given engine (tests may pass a small real engine with other options). */
    public static Botgate.Parts create(Settings settings, Map<String, String> env,
                                       Function<ModelStore, Engine> engineFactory) {
        Path home = settings.paths().home();
        Native.configure(home);
        Clock clock = Clock.systemUTC();
        Metrics metrics = new Metrics();
        ModelStore store = modelStore(settings);
        Engine engine = EngineRouting.create(engineFactory.apply(store), store, settings.engines(), metrics);
        Embedder embedder = embedder(settings);
        KnowledgeBases knowledge = knowledgeBases(settings, embedder, RemoteEmbedder.resolver(engine));
        BotRegistry bots = BotRegistry.load(settings.bots(), env, AdapterOptions.defaults(), Ticker.systemTicker());
        bots.addConsoleBots(new ConsoleBots(home.resolve("console-bots.yaml")));
        bots.problems().forEach(p -> LOG.log(Level.WARNING, "bot not started: " + p));
        seedDemo(knowledge, bots);
        Settings.ConversationSettings c = settings.conversation();
        ConversationContext context = new ConversationContext(c.idleExpiry(), c.maxTurns(), c.historyTokens(),
                Ticker.systemTicker());
        java.util.concurrent.ExecutorService retrieval = retrievalPool();
        MessageLog log = new MessageLog(home.resolve("messages.db"), clock);
        Handoffs handoffs = new Handoffs(new HandoffStore(home.resolve("messages.db")), bots.handoffs(), bots.bots(),
                bots.adapters(), log, new OnCallNotifier(clock, metrics), clock, metrics);
        ReviewQueue review = new ReviewQueue(new ReviewStore(home.resolve("messages.db")), embedder, knowledge,
                bots.bots(), clock, metrics, BackgroundThreads.factory("review-"));
        handoffs.onOpened(h -> review.add(h.bot(), h.conversation(), "handoff", h.question(), "", 0));
        BotAnswerer answerer = new BotAnswerer(engine, retriever(knowledge, retrieval), context, metrics,
                BotAnswerer.DEFAULT_IMPORT_WAIT, AnswerHooks.chain(List.of(handoffs, review)));
        // Answers in progress: enough to keep every engine slot busy, plus a few waiting on search or sending.
        ConversationWorkers workers = new ConversationWorkers(settings.engine().parallelSlots() + 4,
                BackgroundThreads.factory("answer-"));
        InboundDispatcher dispatcher = new InboundDispatcher(bots.bots(), bots.adapters(), answerer, log, workers,
                metrics, c.answersInMemory());
        registerGauges(metrics, engine, workers);
        metrics.describe("botgate_answers_in_memory", "platform messages being answered or waiting in memory");
        metrics.gauge("botgate_answers_in_memory", "", dispatcher::answersInMemory);
        metrics.describe("botgate_answers_backlogged_total", "platform messages that waited in the record's backlog "
                + "because conversation.answers-in-memory were already waiting");
        ApiKeyFile keys = new ApiKeyFile(home.resolve("api-keys"), settings.server().apiKeyHashes());
        return new Botgate.Parts(settings, engine, store, knowledge, embedder, bots, answerer, dispatcher, workers, log,
                metrics, keys, clock, retrieval, handoffs, review,
                new dev.botgate.gateway.accounts.Accounts(home.resolve("accounts.db"), clock));
    }

    /**
     * The model store the settings ask for: the server's and the CLI's when no server runs. Every new model is tried in
     * a child process before it is stored; there is no setting to turn that off.
     */
    public static ModelStore modelStore(Settings settings) {
        return ModelStore.builder(settings.paths().models())
                .pullPolicy(new PullPolicy(settings.models().pullHosts()))
                .probeTimeout(settings.models().probeTimeout())
                .build();
    }

    /** The embedding model as the settings ask for it; the server and the CLI's local commands both use this. */
    public static BgeEmbedder embedder(Settings settings) {
        return BgeEmbedder.load(settings.paths().home().resolve("native"), settings.knowledge().embedThreads(),
                EMBED_BATCH_TOKENS, BackgroundThreads.factory("embed-"));
    }

    /**
     * The knowledge bases as the settings ask for them (chunking, read limits, import threads). One factory for the
     * server, the CLI's local commands and the benchmarks, so an index built by one is searched the same by another.
     */
    public static KnowledgeBases knowledgeBases(Settings settings, Embedder embedder) {
        return knowledgeBases(settings, embedder, model -> java.util.Optional.empty());
    }

    /** The same, with the embedding models remote engines serve ({@code others}: a model name to its embedder). */
    static KnowledgeBases knowledgeBases(Settings settings, Embedder embedder,
                                         java.util.function.Function<String, java.util.Optional<Embedder>> others) {
        Settings.KnowledgeSettings k = settings.knowledge();
        return new KnowledgeBases(settings.paths().home().resolve("knowledge"), embedder, others,
                KnowledgeOptions.builder()
                .chunking(new ChunkingOptions(k.chunkTarget(), k.chunkOverlap()))
                .readLimits(new ReadLimits(k.maxFileBytes(), ReadLimits.defaults().maxZipEntries(),
                        ReadLimits.defaults().maxUnzippedBytes()))
                .importThreads(BackgroundThreads.factory("botgate-import-"))
                .build());
    }

    private static void registerGauges(Metrics metrics, Engine engine, ConversationWorkers workers) {
        metrics.describe("botgate_queue_depth", "requests waiting for an engine slot");
        metrics.gauge("botgate_queue_depth", "", () -> engine.loaded().stream().mapToInt(m -> m.queued()).sum());
        metrics.gauge("botgate_busy_slots", "", () -> engine.loaded().stream().mapToInt(m -> m.busySlots()).sum());
        metrics.gauge("botgate_models_loaded", "", () -> engine.loaded().size());
        metrics.gauge("botgate_conversations_active", "", workers::active);
        metrics.describe("botgate_requests_total", "API requests by route");
        metrics.describe("botgate_tokens_generated_total", "tokens generated by the engine");
        metrics.describe("botgate_time_to_first_token_seconds", "time to first token, summary");
        metrics.describe("botgate_decode_tokens_per_second", "decode speed per generation, summary");
        metrics.describe("botgate_callback_seconds", "platform callbacks, from the request to its acknowledgement "
                + "(the platforms' deadlines: WeCom and WeChat 5 s, Slack and Feishu 3 s), histogram");
        metrics.describe("botgate_messages_in_total", "platform messages accepted, by channel and bot");
        metrics.describe("botgate_duplicates_dropped_total", "platform retries dropped");
        metrics.describe("botgate_answers_total", "answers by bot and policy (direct, fallback, model, knowledge, "
                + "canned)");
    }

    /** The engine options the settings ask for. */
    public static EngineOptions engineOptions(Settings settings) {
        Settings.EngineSettings e = settings.engine();
        EngineOptions.Builder b = EngineOptions.builder()
                .contextLength(e.contextSize())
                .parallel(e.parallelSlots())
                .queueCapacity(e.queueCapacity())
                .maxLoadedModels(e.maxLoadedModels())
                .contextOverflow(ContextOverflow.parse(e.contextOverflow()))
                .nativeLibraryDirectory(settings.paths().home().resolve("native"))
                .nativeLog(e.nativeLog())
                .numPredict(e.numPredict())
                .maxTurns(e.maxTurns());
        if (e.threads() > 0) {
            b.threads(e.threads());
        }
        return b.build();
    }

    /**
     * Retrieval runs on its own small pool of platform threads, one fewer than the cores. The query embedding is a native
     * onnxruntime call: run on a virtual thread it would pin the carrier, and a few answers in flight would stall
     * every virtual thread, the ones acknowledging platform callbacks included. On platform threads at a lower OS
     * priority ({@link BackgroundThreads}) acknowledgements go first and stay fast while answers queue.
     */
    static java.util.concurrent.ExecutorService retrievalPool() {
        return java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1), BackgroundThreads.factory("retrieval-"));
    }

    /** The bots' retrieval: the knowledge bases' hybrid search, the same one the admin search test runs. */
    static Retriever retriever(KnowledgeBases knowledge, java.util.concurrent.ExecutorService pool) {
        Retriever search = direct(knowledge);
        return new Retriever() {
            @Override
            public List<Passage> retrieve(List<String> bases, String query, int top) {
                try {
                    return pool.submit(() -> search.retrieve(bases, query, top)).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while searching", e);
                }
            }

            @Override
            public List<String> importing(List<String> bases) {
                return Wiring.importing(knowledge, bases);
            }
        };
    }

    private static Retriever direct(KnowledgeBases knowledge) {
        return (bases, query, top) -> {
            Set<String> existing = new HashSet<>();
            knowledge.list().forEach(b -> existing.add(b.name()));
            List<String> present = bases.stream().filter(existing::contains).toList();
            if (present.isEmpty()) {
                return List.of();
            }
            List<Passage> out = new ArrayList<>();
            for (SearchHit h : knowledge.search(SearchRequest.builder(query).bases(present).top(top)
                    .minScore(Double.NEGATIVE_INFINITY).build())) {
                String location = String.join(" > ", h.headingPath()) + (h.page() > 0 ? (h.headingPath().isEmpty()
                        ? "" : ", ") + "p. " + h.page() : "");
                boolean qa = h.kind() == dev.botgate.knowledge.ingest.Chunk.Kind.QA;
                out.add(new Passage(h.title(), location, qa ? h.answer() : h.text(), h.score(), h.directAnswer(),
                        qa ? h.question() : "", h.vectorSimilarity()));
            }
            return out;
        };
    }

    /**
     * Gives the demo bot its sample knowledge base, so a new user can chat at once. Idempotent and completed at the
     * next start: whatever sample document the base lacks (first start; an import that a kill or a refused start cut
     * short, since imports commit whole documents) is imported again, and the ones there are left alone.
     *
     * @return the seeding import, when one was started
     */
    static Optional<ImportJob> seedDemo(KnowledgeBases knowledge, BotRegistry bots) {
        boolean wanted = bots.bots().values().stream().anyMatch(b -> b.config().knowledge().contains(DEMO_KB));
        if (!wanted) {
            return Optional.empty();
        }
        Optional<BaseInfo> base = knowledge.list().stream().filter(b -> b.name().equals(DEMO_KB)).findFirst();
        if (base.isPresent() && !base.get().problem().isEmpty()) {
            LOG.log(Level.WARNING, "the sample knowledge base '" + DEMO_KB + "' cannot be opened, not seeding it: "
                    + base.get().problem());
            return Optional.empty();
        }
        Set<String> present = new HashSet<>();
        if (base.isPresent()) {
            knowledge.documents(DEMO_KB).forEach(d -> present.add(d.source()));
        }
        List<Upload> files = new ArrayList<>();
        for (String name : SAMPLE_FILES) {
            if (present.contains(name)) {
                continue;
            }
            try (InputStream in = Wiring.class.getResourceAsStream("/sample-kb/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("sample-kb/" + name + " missing from the classpath: broken build");
                }
                files.add(new Upload(name, in.readAllBytes()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (files.isEmpty()) {
            return Optional.empty();
        }
        if (base.isEmpty()) {
            knowledge.create(DEMO_KB);
        }
        ImportJob job = knowledge.startUpload(DEMO_KB, files, Set.of("sample"));
        LOG.log(Level.INFO, (base.isEmpty() ? "creating" : "completing") + " the sample knowledge base '" + DEMO_KB
                + "' for the demo bot (" + files.size() + " file(s))");
        return Optional.of(job);
    }

    /** Those of {@code bases} that an import is queued for or running into: not ready to answer from. */
    static List<String> importing(KnowledgeBases knowledge, Collection<String> bases) {
        return knowledge.jobs().stream().filter(j -> !j.finished() && bases.contains(j.base()))
                .map(ImportJob::base).distinct().toList();
    }
}

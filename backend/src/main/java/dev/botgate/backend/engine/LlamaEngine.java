package dev.botgate.backend.engine;

import de.kherud.llama.InferenceParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The engine on java-llama.cpp: GGUF models run by llama.cpp inside this JVM.
 *
 * <p><b>Threads.</b> No llama.cpp call runs on the caller's thread (a request's virtual thread): models load on a
 * platform thread of their own, prompts are rendered, tokenized and checked on a small pool of engine threads, and each
 * loaded model has one platform thread per slot that drives a generation and calls its listener. One
 * {@code LlamaModel} per model is shared by all requests; its {@code parallel} slots decode together (continuous
 * batching) and keep their KV cache between requests, so a conversation's next turn reuses the prefix it shares with
 * the last one ({@code cache_prompt}).
 *
 * <p><b>Admission.</b> At most {@code parallel + queueCapacity} requests are in the engine at once (running, waiting
 * for a slot, or being prepared). One more is refused at once with {@link QueueFullException}; nothing waits without
 * bound.
 *
 * <p><b>Loaded models stay loaded.</b> The bundled llama.cpp does not free native memory when a model is closed (about
 * the model's size per load/unload cycle, measured), so models are never evicted or reloaded: at most
 * {@code maxLoadedModels} may be resident, and asking for another gives an {@link EngineException} naming those loaded
 * and the setting {@code engine.max-loaded-models}. Each resident model costs its file size plus its KV cache
 * ({@link LoadedModel#memoryBytes()}, an estimate; see {@link EngineOptions}). Names that share a GGUF file, context
 * size and template (Modelfile variants that only change SYSTEM or PARAMETER lines) share one load.
 *
 * <p><b>Context.</b> Every request gets the model's whole context ({@code num_ctx}); the model is loaded with
 * {@code num_ctx × parallel}. A prompt that does not leave room for {@code num_predict} tokens (or one, when
 * unlimited) is handled by {@link ContextOverflow}, never cut silently; trimming is linear in the chat's length, and a
 * chat of more than {@link EngineOptions#maxTurns()} messages is refused at once. A request's own {@code num_ctx}
 * narrows its window (a wider one is capped: a loaded model is never reloaded). A request without a token limit gets
 * {@link EngineOptions#numPredict()}, capped by what is left of the context; unlimited generation stops at the end of
 * the context with reason LENGTH.
 *
 * <p><b>Stats.</b> Prompt tokens are counted with the model's tokenizer (without the BOS token llama.cpp adds).
 * Completion tokens are counted from the stream (see {@code GenerationTask}). java-llama.cpp 4.2.0 does not report how
 * many prompt tokens came from the cache, so {@link GenerationStats#cachedTokens()} is 0; the saving shows in
 * {@link GenerationStats#promptNanos()}.
 */
public final class LlamaEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(LlamaEngine.class.getName());

    private final EngineOptions options;
    private final ModelResolver resolver;
    private final Semaphore admission;
    private final EngineCounters counters = new EngineCounters();
    private final ExecutorService preparation;
    private final Object lock = new Object();
    /** Loading or loaded models, guarded by {@code lock}. */
    private final Map<ModelRunner.LoadKey, CompletableFuture<ModelRunner>> models = new LinkedHashMap<>();
    private final Set<GenerationTask> active = ConcurrentHashMap.newKeySet();
    private volatile String anyObjectGrammar;
    private volatile boolean closed;

    /**
     * An engine with nothing loaded yet; models load on first use. Sets the system property
     * {@code de.kherud.llama.tmpdir} when a native library directory is configured (it must be set before the first
     * model loads in this JVM, and applies to the whole JVM).
     */
    public LlamaEngine(EngineOptions options, ModelResolver resolver) {
        this.options = Objects.requireNonNull(options, "options");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.admission = new Semaphore(options.parallel() + options.queueCapacity());
        options.nativeLibraryDirectory().ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create engine.native-dir " + dir, e);
            }
            System.setProperty("de.kherud.llama.tmpdir", dir.toAbsolutePath().toString());
        });
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(2, Math.min(options.parallel(), 4));
        this.preparation = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name("botgate-engine-prepare-" + n.getAndIncrement()).unstarted(r));
    }

    /** The options this engine runs with. */
    public EngineOptions options() {
        return options;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns once the request is admitted and its prompt checked: on the first request for a model that includes
     * waiting for the model to load (on an engine thread). A full queue is refused before any waiting.
     *
     * @throws InvalidRequestException for bad options, a bad JSON schema, or a prompt that does not fit
     */
    @Override
    public Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new EngineException("the engine is shut down");
        }
        long submitted = System.nanoTime();
        ModelSpec spec = resolver.resolve(request.model());
        GenerationOptions opts = spec.defaults().overriddenBy(request.options());
        int numPredict = checkOptions(opts);
        if (request.prompt() instanceof GenerationRequest.Chat chat && chat.messages().size() > options.maxTurns()) {
            throw new InvalidRequestException("the chat has " + chat.messages().size() + " messages; at most "
                    + options.maxTurns() + " are accepted (engine.max-turns). Send the recent turns only: older ones "
                    + "would not fit the context anyway");
        }
        if (!admission.tryAcquire()) {
            counters.rejected.increment();
            throw new QueueFullException(options.queueCapacity(), options.retryAfter());
        }
        boolean handedOver = false;
        try {
            CompletableFuture<ModelRunner> loading = runnerFor(spec);
            boolean wasLoaded = loading.isDone();
            ModelRunner runner = await(loading);
            long loadNanos = wasLoaded ? 0 : System.nanoTime() - submitted;
            runner.queued.incrementAndGet();
            boolean queued = true;
            try {
                Future<Prepared> preparing = preparation.submit(() -> prepare(runner, spec, request.prompt(),
                        request.tools(), opts, numPredict));
                Prepared p = await(preparing);
                List<String> stops = opts.stop() == null ? List.of() : opts.stop();
                Consumer<GenerationEvent> events = listener;
                if (request.tools().active()) {
                    events = new ToolCallStream(runner.prompts.template().format(), request.tools().specs().stream()
                            .map(ToolSpec::name).collect(java.util.stream.Collectors.toSet()), listener);
                }
                GenerationTask task = new GenerationTask(runner, p.prompt(), p.params(), stops, events, submitted,
                        loadNanos, this::finished, counters);
                active.add(task);
                counters.requests.increment();
                runner.workers.execute(task);
                queued = false;
                handedOver = true;
                return task;
            } finally {
                if (queued) {
                    runner.queued.decrementAndGet();
                }
            }
        } finally {
            if (!handedOver) {
                admission.release();
            }
        }
    }

    @Override
    public List<LoadedModel> loaded() {
        return runners().stream().map(ModelRunner::snapshot).toList();
    }

    /** Counters for {@code /metrics}. */
    public EngineMetrics metrics() {
        int queued = 0;
        int busy = 0;
        for (ModelRunner r : runners()) {
            queued += r.queued.get();
            busy += r.busy.get();
        }
        return counters.snapshot(queued, busy);
    }

    /**
     * Cancels running generations, waits for them to stop (up to 10 s per model) and frees the models; later submits
     * are refused. Frees little native memory (see the class notes); meant for shutdown. java-llama.cpp leaves a
     * non-daemon native thread attached to the JVM even after this, so a program that wants to end must call
     * {@code System.exit} (measured with 4.2.0).
     */
    @Override
    public void close() {
        closed = true;
        for (ModelRunner runner : runners()) {
            runner.close(active.stream().filter(t -> t.runner() == runner).toList());
        }
        preparation.shutdownNow();
    }

    /** The prompt as the model will see it, for tests: the chat rendered with the model's template. */
    String render(String model, List<ChatMessage> messages) {
        ModelSpec spec = resolver.resolve(model);
        ModelRunner runner = await(runnerFor(spec));
        List<ChatMessage> withSystem = new ArrayList<>(messages);
        if (!spec.system().isEmpty() && messages.stream().noneMatch(m -> m.role().equals("system"))) {
            withSystem.addFirst(new ChatMessage("system", spec.system()));
        }
        return await(preparation.submit(() -> runner.prompts.render(withSystem)));
    }

    private record Prepared(PromptBuilder.Prepared prompt, InferenceParameters params) {
    }

    private Prepared prepare(ModelRunner runner, ModelSpec spec, GenerationRequest.Prompt prompt, Tools tools,
                             GenerationOptions opts, int numPredict) {
        String grammar = null;
        if (tools.forced()) {
            // A forced call wins over a response format: the answer is the call, not a JSON document.
            grammar = ToolGrammar.build(runner.prompts.template().format(), tools);
        } else if (opts.jsonSchema() != null) {
            grammar = JsonGrammar.fromSchema(opts.jsonSchema());
        } else if (Boolean.TRUE.equals(opts.json())) {
            grammar = anyObjectGrammar();
        }
        PromptBuilder.Prepared p = runner.prompts.prepare(spec, prompt, tools, numPredict,
                opts.numPredict() == null ? options.numPredict() : -1, opts.numCtx() == null ? 0 : opts.numCtx());
        InferenceParameters params = new InferenceParameters(p.text()).setCachePrompt(true).setNPredict(p.nPredict());
        if (opts.temperature() != null) {
            params.setTemperature(opts.temperature().floatValue());
        }
        if (opts.topP() != null) {
            params.setTopP(opts.topP().floatValue());
        }
        if (opts.topK() != null) {
            params.setTopK(opts.topK());
        }
        if (opts.minP() != null) {
            params.setMinP(opts.minP().floatValue());
        }
        if (opts.seed() != null) {
            params.setSeed(opts.seed());
        }
        if (opts.repeatPenalty() != null) {
            params.setRepeatPenalty(opts.repeatPenalty().floatValue());
        }
        if (grammar != null) {
            params.setGrammar(grammar);
        }
        return new Prepared(p, params);
    }

    private String anyObjectGrammar() {
        String g = anyObjectGrammar;
        if (g == null) {
            g = JsonGrammar.fromSchema(JsonGrammar.ANY_OBJECT_SCHEMA);
            anyObjectGrammar = g;
        }
        return g;
    }

    /** Checks option values; returns the request's token limit, or -1 for none. */
    private static int checkOptions(GenerationOptions o) {
        if (o.temperature() != null && !(o.temperature() >= 0)) {
            throw new InvalidRequestException("temperature must be 0 or more, not " + o.temperature());
        }
        if (o.topP() != null && !(o.topP() >= 0 && o.topP() <= 1)) {
            throw new InvalidRequestException("top_p must be between 0 and 1, not " + o.topP());
        }
        if (o.minP() != null && !(o.minP() >= 0 && o.minP() <= 1)) {
            throw new InvalidRequestException("min_p must be between 0 and 1, not " + o.minP());
        }
        if (o.topK() != null && o.topK() < 0) {
            throw new InvalidRequestException("top_k must be 0 or more, not " + o.topK());
        }
        if (o.repeatPenalty() != null && !(o.repeatPenalty() >= 0)) {
            throw new InvalidRequestException("repeat_penalty must be 0 or more, not " + o.repeatPenalty());
        }
        if (o.numPredict() != null && o.numPredict() == 0) {
            throw new InvalidRequestException("num_predict must be positive, or -1 for no limit");
        }
        if (o.numCtx() != null && (o.numCtx() < 1 || o.numCtx() > GenerationOptions.MAX_NUM_CTX)) {
            throw new InvalidRequestException("num_ctx must be between 1 and " + GenerationOptions.MAX_NUM_CTX
                    + " tokens, not " + o.numCtx() + " (a model loaded with a smaller context uses that one)");
        }
        return o.numPredict() == null || o.numPredict() < 0 ? -1 : o.numPredict();
    }

    private CompletableFuture<ModelRunner> runnerFor(ModelSpec spec) {
        int context = spec.numCtx() > 0 ? spec.numCtx() : options.contextLength();
        ModelRunner.LoadKey key = new ModelRunner.LoadKey(spec.gguf().toAbsolutePath().normalize(), context,
                spec.template().orElse(""));
        synchronized (lock) {
            CompletableFuture<ModelRunner> existing = models.get(key);
            if (existing != null) {
                return existing;
            }
            if (models.size() >= options.maxLoadedModels()) {
                List<String> names = new ArrayList<>();
                models.values().forEach(f -> names.add(f.isDone() && !f.isCompletedExceptionally()
                        ? f.join().name : "(loading)"));
                throw new EngineException("cannot load model '" + spec.name() + "': " + models.size()
                        + " model(s) already loaded " + names + " and engine.max-loaded-models is "
                        + options.maxLoadedModels() + ". Use a loaded model, or raise engine.max-loaded-models and "
                        + "restart (models stay loaded because the bundled llama.cpp does not free memory on unload; "
                        + "each costs its file size plus its KV cache)");
            }
            CompletableFuture<ModelRunner> loading = new CompletableFuture<>();
            models.put(key, loading);
            Thread.ofPlatform().daemon().name("botgate-engine-load").start(() -> load(spec, key, loading));
            return loading;
        }
    }

    private void load(ModelSpec spec, ModelRunner.LoadKey key, CompletableFuture<ModelRunner> loading) {
        try {
            loading.complete(new ModelRunner(spec, key, options));
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "loading " + spec.name() + " failed", e);
            synchronized (lock) {
                models.remove(key);
            }
            loading.completeExceptionally(new EngineException("could not load model '" + spec.name() + "' from "
                    + spec.gguf() + ": " + e.getMessage(), e));
        }
    }

    private List<ModelRunner> runners() {
        List<CompletableFuture<ModelRunner>> futures;
        synchronized (lock) {
            futures = List.copyOf(models.values());
        }
        return futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).map(CompletableFuture::join)
                .toList();
    }

    private void finished(GenerationTask task) {
        active.remove(task);
        admission.release();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EngineException engine) {
                throw engine;
            }
            throw new EngineException("engine error: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting for the engine");
        }
    }
}

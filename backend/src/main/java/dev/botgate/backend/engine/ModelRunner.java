package dev.botgate.backend.engine;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model: the shared {@link LlamaModel} (llama.cpp's server loop with {@code parallel} slots and continuous
 * batching) and one platform thread per slot that drives a generation's token iterator. Requests beyond the slots wait
 * in this runner's executor queue; the engine bounds how many are admitted in total.
 */
final class ModelRunner {
    private static final System.Logger LOG = System.getLogger(ModelRunner.class.getName());

    final LoadKey key;
    final String name;
    final String digest;
    final int slots;
    final int contextLength;
    final long sizeBytes;
    final long memoryBytes;
    final Instant loadedAt;
    final LlamaModel model;
    final PromptBuilder prompts;
    final AtomicInteger busy = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    final ThreadPoolExecutor workers;
    private volatile long lastUsedNanos = System.nanoTime();

    /** What makes two model names share one load: same file, context and template. */
    record LoadKey(Path gguf, int contextLength, String template) {
    }

    /** Loads the model; runs on an engine thread, never a request's. */
    ModelRunner(ModelSpec spec, LoadKey key, EngineOptions options) {
        this.key = key;
        this.name = spec.name();
        this.digest = spec.digest();
        this.slots = options.parallel();
        this.contextLength = key.contextLength();
        long totalContext = (long) contextLength * slots;
        ModelParameters params = new ModelParameters()
                .setModel(spec.gguf().toString())
                .setCtxSize((int) totalContext)
                .setParallel(slots)
                .setThreads(options.threads())
                .setThreadsBatch(options.threads())
                .setBatchSize(options.batchSize())
                .setUbatchSize(Math.min(options.batchSize(), 512))
                // Without context shift llama.cpp never drops tokens from the front of a prompt by itself.
                .disableContextShift()
                // Jinja renders the GGUF's own template; without it llama.cpp only knows a fixed list of families.
                .enableJinja();
        if (!key.template().isEmpty()) {
            params.setChatTemplate(key.template());
        }
        if (!options.nativeLog()) {
            params.disableLog();
        }
        this.model = new LlamaModel(params);
        if (options.nativeLog()) {
            System.Logger native_ = System.getLogger("llama.cpp");
            LlamaModel.setLogger(LogFormat.TEXT, (level, message) ->
                    native_.log(System.Logger.Level.DEBUG, message.stripTrailing()));
        }
        this.loadedAt = Instant.now();
        this.sizeBytes = size(spec.gguf());
        this.memoryBytes = sizeBytes + GgufShape.read(spec.gguf()).map(s -> s.kvCacheBytes(totalContext)).orElse(0L);
        this.prompts = new PromptBuilder(model, contextLength, options.contextOverflow(), chatTemplate(spec, key));
        AtomicInteger n = new AtomicInteger();
        String threadPrefix = "botgate-engine-" + spec.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-slot-";
        this.workers = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name(threadPrefix + n.getAndIncrement()).unstarted(r));
        LOG.log(System.Logger.Level.INFO, "loaded {0} ({1} bytes, context {2} × {3} slots, ~{4} MiB with KV cache)",
                name, sizeBytes, contextLength, slots, memoryBytes >> 20);
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    LoadedModel snapshot() {
        return new LoadedModel(name, digest, sizeBytes, memoryBytes, contextLength, slots, busy.get(), queued.get(),
                loadedAt);
    }

    /**
     * Stops the slot threads (each running generation sees its cancel flag at its next token) and, once they have
     * stopped, frees the model. llama.cpp must not be closed under a running generation; if the threads do not stop
     * in time the model is left allocated, a leak rather than a crash.
     */
    void close(List<GenerationTask> running) {
        running.forEach(GenerationTask::cancel);
        workers.shutdown();
        try {
            if (workers.awaitTermination(10, TimeUnit.SECONDS)) {
                model.close();
            } else {
                LOG.log(System.Logger.Level.WARNING, "generations on {0} did not stop; model left allocated", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The template Jinjava renders for chats with tools: the Modelfile's override, else the GGUF's own. */
    private static ChatTemplate chatTemplate(ModelSpec spec, LoadKey key) {
        Map<String, Object> meta;
        try {
            meta = GgufShape.metadata(spec.gguf());
        } catch (IOException | RuntimeException e) {
            meta = Map.of();
        }
        String template = !key.template().isEmpty() ? key.template()
                : meta.get("tokenizer.chat_template") instanceof String t ? t : "";
        return new ChatTemplate(template, token(meta, "tokenizer.ggml.bos_token_id"),
                token(meta, "tokenizer.ggml.eos_token_id"));
    }

    private static String token(Map<String, Object> meta, String idKey) {
        if (meta.get(idKey) instanceof Number id && meta.get("tokenizer.ggml.tokens") instanceof List<?> tokens
                && id.longValue() >= 0 && id.longValue() < tokens.size()) {
            return String.valueOf(tokens.get((int) id.longValue()));
        }
        return "";
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}

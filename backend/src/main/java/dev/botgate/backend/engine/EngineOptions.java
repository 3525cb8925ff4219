package dev.botgate.backend.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link LlamaEngine} (the {@code engine:} node of the configuration). Immutable; build with
 * {@link #builder()}. Each setter checks its value at once, {@link Builder#build()} the rules between them.
 *
 * <pre>{@code
 * EngineOptions options = EngineOptions.builder()
 *         .threads(2).contextLength(4096).parallel(4).maxLoadedModels(1).queueCapacity(32)
 *         .nativeLibraryDirectory(home.resolve("native"))
 *         .build();
 * }</pre>
 *
 * <p>Memory: a loaded model costs its file size (weights, memory-mapped) plus its KV cache, which llama.cpp
 * allocates up front for every slot: {@code contextLength × parallel × layers × kvWidth × 2 (K and V) × 2 bytes}
 * (f16). For Qwen2.5 7B (28 layers, KV width 512) at 4096 × 4 that is about 0.9 GiB on top of 4.7 GB of weights.
 */
public final class EngineOptions {
    /** The default of {@link #numPredict()}, as in config/application.yaml. */
    public static final int DEFAULT_NUM_PREDICT = 1024;
    /** The default of {@link #maxTurns()}, as in config/application.yaml. */
    public static final int DEFAULT_MAX_TURNS = 4096;
    private final int threads;
    private final int contextLength;
    private final int parallel;
    private final int maxLoadedModels;
    private final int queueCapacity;
    private final int batchSize;
    private final ContextOverflow contextOverflow;
    private final Optional<Path> nativeLibraryDirectory;
    private final boolean nativeLog;
    private final Duration retryAfter;
    private final int numPredict;
    private final int maxTurns;

    private EngineOptions(Builder b) {
        this.threads = b.threads;
        this.contextLength = b.contextLength;
        this.parallel = b.parallel;
        this.maxLoadedModels = b.maxLoadedModels;
        this.queueCapacity = b.queueCapacity;
        this.batchSize = b.batchSize;
        this.contextOverflow = b.contextOverflow;
        this.nativeLibraryDirectory = Optional.ofNullable(b.nativeLibraryDirectory);
        this.nativeLog = b.nativeLog;
        this.retryAfter = b.retryAfter;
        this.numPredict = b.numPredict;
        this.maxTurns = b.maxTurns;
    }

    /** A builder with the defaults below. */
    public static Builder builder() {
        return new Builder();
    }

    /** All defaults. */
    public static EngineOptions defaults() {
        return builder().build();
    }

    /** CPU threads llama.cpp uses for decoding and prompt processing ({@code engine.threads}). */
    public int threads() {
        return threads;
    }

    /**
     * Context tokens each request gets ({@code engine.context-length}, Ollama's {@code num_ctx}); a model's
     * {@link ModelSpec#numCtx()} overrides it. The model is loaded with {@code contextLength × parallel} tokens so
     * every slot holds a whole context, as Ollama does.
     */
    public int contextLength() {
        return contextLength;
    }

    /** Slots per loaded model: requests decoded together by continuous batching ({@code engine.parallel}). */
    public int parallel() {
        return parallel;
    }

    /** Models that may be resident at once ({@code engine.max-loaded-models}); see {@link LlamaEngine}. */
    public int maxLoadedModels() {
        return maxLoadedModels;
    }

    /** Requests that may wait for a slot beyond those running ({@code engine.queue-capacity}). */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Logical batch size for prompt processing ({@code engine.batch-size}). */
    public int batchSize() {
        return batchSize;
    }

    /** What to do with a prompt that does not fit ({@code engine.context-overflow}). */
    public ContextOverflow contextOverflow() {
        return contextOverflow;
    }

    /**
     * Where the bundled native library is extracted ({@code engine.native-dir}, normally
     * {@code $BOTGATE_HOME/native}); empty leaves java-llama.cpp's default ({@code java.io.tmpdir}).
     */
    public Optional<Path> nativeLibraryDirectory() {
        return nativeLibraryDirectory;
    }

    /** Whether llama.cpp's own log goes to {@link System.Logger} at DEBUG ({@code engine.native-log}). */
    public boolean nativeLog() {
        return nativeLog;
    }

    /** Retry-After suggested when the queue is full ({@code engine.retry-after}). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * Tokens generated when neither the request nor the model's Modelfile sets a limit ({@code engine.num-predict};
     * Ollama's {@code num_predict}, OpenAI's {@code max_tokens}); -1 = until the model stops or the context ends.
     */
    public int numPredict() {
        return numPredict;
    }

    /**
     * Most messages one chat request may carry ({@code engine.max-turns}); more is refused at once. Old turns that do
     * not fit the context are dropped anyway, so a client that sends more only sends history that cannot be used.
     */
    public int maxTurns() {
        return maxTurns;
    }

    @Override
    public String toString() {
        return "EngineOptions[threads=" + threads + ", contextLength=" + contextLength + ", parallel=" + parallel
                + ", maxLoadedModels=" + maxLoadedModels + ", queueCapacity=" + queueCapacity + ", batchSize="
                + batchSize + ", contextOverflow=" + contextOverflow.configValue() + ", nativeLibraryDirectory="
                + nativeLibraryDirectory.map(Path::toString).orElse("(default)") + ", nativeLog=" + nativeLog
                + ", retryAfter=" + retryAfter + ", numPredict=" + numPredict + ", maxTurns=" + maxTurns + "]";
    }

    /** Collects settings; every setter refuses a bad value with the configuration key in the message. */
    public static final class Builder {
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int contextLength = 4096;
        private int parallel = 4;
        private int maxLoadedModels = 1;
        private int queueCapacity = 32;
        private int batchSize = 512;
        private ContextOverflow contextOverflow = ContextOverflow.DROP_OLDEST;
        private Path nativeLibraryDirectory;
        private boolean nativeLog;
        private Duration retryAfter = Duration.ofSeconds(2);
        private int numPredict = DEFAULT_NUM_PREDICT;
        private int maxTurns = DEFAULT_MAX_TURNS;

        private Builder() {
        }

        /** Default {@value EngineOptions#DEFAULT_NUM_PREDICT}; -1 for no limit, else positive. */
        public Builder numPredict(int tokens) {
            if (tokens == 0 || tokens < -1) {
                throw new IllegalArgumentException("engine.num-predict must be positive, or -1 for no limit, not "
                        + tokens);
            }
            this.numPredict = tokens;
            return this;
        }

        /** Default {@value EngineOptions#DEFAULT_MAX_TURNS}; 1 to 1,000,000. */
        public Builder maxTurns(int messages) {
            this.maxTurns = between("engine.max-turns", messages, 1, 1_000_000);
            return this;
        }

        /** Default: the number of available processors. */
        public Builder threads(int threads) {
            this.threads = atLeast("engine.threads", threads, 1);
            return this;
        }

        /** Default 4096; at least 64. */
        public Builder contextLength(int tokens) {
            this.contextLength = atLeast("engine.context-length", tokens, 64);
            return this;
        }

        /** Default 4; 1 to 64. */
        public Builder parallel(int slots) {
            this.parallel = between("engine.parallel", slots, 1, 64);
            return this;
        }

        /** Default 1. */
        public Builder maxLoadedModels(int models) {
            this.maxLoadedModels = atLeast("engine.max-loaded-models", models, 1);
            return this;
        }

        /** Default 32; 0 refuses every request that finds all slots busy. */
        public Builder queueCapacity(int requests) {
            this.queueCapacity = atLeast("engine.queue-capacity", requests, 0);
            return this;
        }

        /** Default 512; at least 32. */
        public Builder batchSize(int tokens) {
            this.batchSize = atLeast("engine.batch-size", tokens, 32);
            return this;
        }

        /** Default {@link ContextOverflow#DROP_OLDEST}. */
        public Builder contextOverflow(ContextOverflow policy) {
            this.contextOverflow = Objects.requireNonNull(policy, "engine.context-overflow");
            return this;
        }

        /** Default: java-llama.cpp's own choice ({@code java.io.tmpdir}). */
        public Builder nativeLibraryDirectory(Path dir) {
            this.nativeLibraryDirectory = Objects.requireNonNull(dir, "engine.native-dir");
            return this;
        }

        /** Default false: llama.cpp is silenced. */
        public Builder nativeLog(boolean enabled) {
            this.nativeLog = enabled;
            return this;
        }

        /** Default 2 seconds; positive. */
        public Builder retryAfter(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "engine.retry-after");
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("engine.retry-after must be positive, not " + retryAfter);
            }
            this.retryAfter = retryAfter;
            return this;
        }

        /** The options; checks that the batch can hold at least one request's context start. */
        public EngineOptions build() {
            if ((long) contextLength * parallel > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("engine.context-length × engine.parallel is too large: "
                        + contextLength + " × " + parallel);
            }
            return new EngineOptions(this);
        }

        private static int atLeast(String key, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
            }
            return value;
        }

        private static int between(String key, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + value);
            }
            return value;
        }
    }
}

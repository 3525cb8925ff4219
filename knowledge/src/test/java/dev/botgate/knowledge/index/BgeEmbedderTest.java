package dev.botgate.knowledge.index;

import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.util.List;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

public class BgeEmbedderTest {
    private BgeEmbedder embedder;

    @BeforeClass
    public void load() throws Exception {
        embedder = TestModel.embedder();
    }

    @Test
    public void vectorsAreUnitLengthWithTheModelsDimension() {
        float[] v = embedder.embedQuery("如何退货");
        assertEquals(v.length, 512, "bge-small-zh has 512 dimensions");
        assertEquals(dot(v, v), 1.0, 1e-4, "vectors are L2-normalised");
    }

    @Test
    public void similarTextsScoreHigherThanUnrelatedOnes() {
        float[][] v = embedder.embed(List.of("如何退货", "退货流程是什么", "今天天气很好"));
        double related = dot(v[0], v[1]);
        double unrelated = dot(v[0], v[2]);
        assertTrue(related > 0.7, "related pair similarity " + related);
        assertTrue(unrelated < related - 0.2, "unrelated " + unrelated + " vs related " + related);
    }

    @Test
    public void batchedVectorsMatchSingleOnesInInputOrder() {
        List<String> texts = List.of("很长的一段文字，讲的是退货的运费由谁承担，以及七天无理由退货的条件和流程。",
                "短句", "SKU-12345 型号的充电器", "中等长度的一句话，关于发票");
        float[][] batched = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            double cos = dot(batched[i], embedder.embedQuery(texts.get(i)));
            assertTrue(cos > 0.98, "text " + i + " batched vs single cosine " + cos);
        }
    }

    @Test
    public void uppercaseIsLowercasedBeforeEmbedding() {
        double cos = dot(embedder.embedQuery("iPhone CHARGER"), embedder.embedQuery("iphone charger"));
        assertEquals(cos, 1.0, 1e-4, "case must not change the vector");
    }

    @Test
    public void longTextsAreCutAt512Tokens() {
        assertEquals(embedder.tokenCount("字".repeat(2000)), 512, "tokenizer truncates at 512");
    }

    @Test(expectedExceptions = IllegalArgumentException.class,
            expectedExceptionsMessageRegExp = "embedding batch must be 512..65536 tokens, got 100")
    public void refusesABatchSmallerThanOneText() throws Exception {
        BgeEmbedder.load(TestModel.tempDir("bge"), 2, 100);
    }

    @Test
    public void manyShortAndAFewLongTextsComeBackInOrder() {
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            texts.add(i % 10 == 0 ? "退货运费说明。".repeat(40) + i : "问题" + i);
        }
        float[][] vectors = embedder.embed(texts);
        assertEquals(vectors.length, 30, "one vector per text");
        for (int i : new int[] {0, 7, 20, 29}) {
            double cos = dot(vectors[i], embedder.embedQuery(texts.get(i)));
            assertTrue(cos > 0.98, "text " + i + " keeps its place across batches: " + cos);
        }
    }

    @Test
    public void bulkCallsRunOnTheGivenThreadsAndAQueryOnTheCaller() throws Exception {
        java.util.Set<String> used = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadFactory factory = task -> Thread.ofPlatform().daemon(true)
                .name("test-embed-" + made.getAndIncrement()).unstarted(task);
        try (BgeEmbedder parallel = BgeEmbedder.load(TestModel.tempDir("bge"), 2, 512, factory)) {
            List<String> texts = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                texts.add("退货运费说明，第" + i + "段。".repeat(30));
            }
            float[][] vectors = parallel.embed(texts);
            assertTrue(made.get() >= 1, "bulk embedding used the factory's threads");
            for (int i = 0; i < texts.size(); i++) {
                assertTrue(dot(vectors[i], embedder.embedQuery(texts.get(i))) > 0.98, "text " + i
                        + " gets the same vector as from the default embedder");
            }
            int before = made.get();
            parallel.embedQuery("如何退货");
            assertEquals(made.get(), before, "a single query makes no thread: it runs on the caller");
        }
    }

    @Test
    public void anInterruptedBulkEmbedReturnsOnlyWhenNoCallIsStillInsideOnnxruntime() throws Exception {
        List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ThreadFactory factory = task -> {
            Thread t = Thread.ofPlatform().daemon(true).unstarted(task);
            made.add(t);
            return t;
        };
        try (BgeEmbedder parallel = BgeEmbedder.load(TestModel.tempDir("bge"), 2, 512, factory)) {
            List<String> texts = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                texts.add("第" + i + "段：退货运费由谁承担，七天无理由退货的条件和流程说明。".repeat(12));
            }
            java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    parallel.embed(texts);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            while (made.isEmpty()) {
                Thread.sleep(1);
            }
            Thread.sleep(30);
            caller.interrupt();
            Throwable t = outcome.get();
            assertTrue(t instanceof KnowledgeException && t.getMessage().contains("interrupted"), "got " + t);
            for (Thread worker : made) {
                boolean inOnnxruntime = java.util.Arrays.stream(worker.getStackTrace())
                        .anyMatch(f -> f.getClassName().startsWith("ai.onnxruntime."));
                assertTrue(!inOnnxruntime, worker + " is still inside onnxruntime after the caller gave up");
            }
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

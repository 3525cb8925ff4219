package dev.botgate.backend.engine;

import static dev.botgate.backend.engine.TestModels.chat;
import static dev.botgate.backend.engine.TestModels.predict;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import dev.botgate.backend.store.TinyGguf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.testng.annotations.Test;

/** Admission, loaded-model bounds, context overflow and template fallback, each on its own small engine. */
public class EngineLimitsTest {

    @Test
    public void fullQueueRefusesAtOnce() throws Exception {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().parallel(1).queueCapacity(1)
                .retryAfter(Duration.ofSeconds(3)).build(), models.resolver())) {
            CountDownLatch release = new CountDownLatch(1);
            TestModels.Recorder first = new TestModels.Recorder();
            // The first listener holds its slot thread until released, so the slot stays busy.
            engine.submit(chat("tiny", predict(4), "one"), event -> {
                first.accept(event);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TestModels.Recorder second = new TestModels.Recorder();
            engine.submit(chat("tiny", predict(4), "two"), second);
            long start = System.nanoTime();
            QueueFullException e = expectThrows(QueueFullException.class,
                    () -> engine.submit(chat("tiny", predict(4), "three"), new TestModels.Recorder()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1000, "refused at once, took " + millis + " ms");
            assertEquals(e.retryAfter(), Duration.ofSeconds(3), "Retry-After from the options");
            LoadedModel ps = engine.loaded().getFirst();
            assertEquals(ps.busySlots(), 1, "one slot busy");
            assertEquals(ps.queued(), 1, "one request queued");
            assertEquals(engine.metrics().rejected(), 1L, "the refusal is counted");
            release.countDown();
            first.awaitDone();
            second.awaitDone();
            engine.submit(chat("tiny", predict(2), "four"), new TestModels.Recorder()); // room again
        }
    }

    @Test
    public void oneModelMoreThanTheLimitIsRefusedWithTheSettingToRaise() {
        TestModels models = new TestModels().add("a").add("b", TinyGguf.builder().seed(7), "", GenerationOptions.NONE);
        try (LlamaEngine engine = new LlamaEngine(models.options().maxLoadedModels(1).build(), models.resolver())) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(chat("a", predict(2), "x"), r);
            r.awaitDone();
            EngineException e = expectThrows(EngineException.class,
                    () -> engine.submit(chat("b", predict(2), "x"), new TestModels.Recorder()));
            assertTrue(e.getMessage().contains("[a]") && e.getMessage().contains("engine.max-loaded-models"),
                    "names the loaded model and the setting: " + e.getMessage());
            assertEquals(engine.loaded().stream().map(LoadedModel::name).toList(), List.of("a"), "a stays loaded");
        }
    }

    @Test
    public void dropOldestDropsTurnsAndReportsThem() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().build(), models.resolver())) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(longChat(), r);
            GenerationEvent.Done done = r.awaitDone();
            assertTrue(done.stats().droppedTurns() > 0, "turns dropped: " + done.stats());
            assertTrue(done.stats().promptTokens() + 4 + PromptBuilder.RESERVED <= 128, "fits: " + done.stats());
        }
    }

    @Test
    public void tenThousandTurnsAreTrimmedInLinearTime() {
        // Re-rendering the whole chat after each dropped turn took minutes at this size.
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().maxTurns(20_000).build(), models.resolver())) {
            warmUp(engine);
            long start = System.nanoTime();
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(turns(10_000), r);
            GenerationEvent.Done done = r.awaitDone();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("10,000-turn chat trimmed and answered in " + millis + " ms");
            assertTrue(done.stats().droppedTurns() > 9_900, "old turns dropped: " + done.stats());
            assertTrue(done.stats().promptTokens() + 4 + PromptBuilder.RESERVED <= 128, "fits: " + done.stats());
            assertTrue(millis < 5_000, "linear trimming: took " + millis + " ms");
        }
    }

    @Test
    public void trimmingKeepsTheNewestTurnsStartingWithAUser() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().contextLength(256).build(), models.resolver())) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(turns(200), r);
            GenerationEvent.Done done = r.awaitDone();
            int kept = 202 - done.stats().droppedTurns();
            assertTrue(kept >= 4 && kept % 2 == 0, "system + whole user/assistant pairs + last user kept (" + kept
                    + "), so the history starts with a user turn: " + done.stats());
            assertTrue(done.stats().promptTokens() + 4 + PromptBuilder.RESERVED <= 256, "fits: " + done.stats());
            // Dropping one turn fewer would not have fitted: the trim is tight, not wasteful.
            assertTrue(done.stats().promptTokens() > 256 / 2, "most of the context used: " + done.stats());
        }
    }

    @Test
    public void moreTurnsThanTheLimitAreRefusedAtOnce() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().maxTurns(100).build(), models.resolver())) {
            InvalidRequestException e = expectThrows(InvalidRequestException.class,
                    () -> engine.submit(turns(101), new TestModels.Recorder()));
            assertTrue(e.getMessage().contains("102 messages") && e.getMessage().contains("engine.max-turns"),
                    e.getMessage());
            assertEquals(engine.loaded().size(), 0, "refused before any model work");
        }
    }

    @Test
    public void theConfiguredNumPredictLimitsARequestWithoutOne() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().numPredict(3).build(), models.resolver())) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(chat("tiny", new GenerationOptions(0.0, null, null, null, 1, null, null, null, null, null),
                    "hello world"), r);
            GenerationEvent.Done done = r.awaitDone();
            assertEquals(done.reason(), GenerationEvent.DoneReason.LENGTH, "stopped by the default limit");
            assertEquals(done.stats().completionTokens(), 3, "engine.num-predict tokens generated");
            TestModels.Recorder own = new TestModels.Recorder();
            engine.submit(chat("tiny", TestModels.greedy(5), "hello world"), own);
            assertEquals(own.awaitDone().stats().completionTokens(), 5, "the request's own limit wins");
        }
    }

    @Test
    public void aDefaultLimitLargerThanTheContextOnlyCapsIt() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().numPredict(100_000).build(), models.resolver())) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(chat("tiny", new GenerationOptions(0.0, null, null, null, 1, null, null, null, null, null),
                    "hello world"), r);
            GenerationEvent.Done done = r.awaitDone();
            assertTrue(done.stats().completionTokens() > 0, "answered, not refused for lack of room: " + done.stats());
        }
    }

    @Test
    public void aRequestsNumCtxNarrowsItsWindowAndAnAbsurdOneIsRefused() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().contextOverflow(ContextOverflow.ERROR).build(),
                models.resolver())) {
            GenerationOptions narrow = new GenerationOptions(null, null, null, null, null, null, 4, null, null, null,
                    16);
            InvalidRequestException e = expectThrows(InvalidRequestException.class, () -> engine.submit(
                    chat("tiny", narrow, "turn with some words in it and more words"), new TestModels.Recorder()));
            assertTrue(e.getMessage().contains("the context holds 16"), e.getMessage());
            GenerationOptions huge = new GenerationOptions(null, null, null, null, null, null, 4, null, null, null,
                    1 << 30);
            e = expectThrows(InvalidRequestException.class,
                    () -> engine.submit(chat("tiny", huge, "hi"), new TestModels.Recorder()));
            assertTrue(e.getMessage().contains("num_ctx must be between 1 and 1048576"), e.getMessage());
            GenerationOptions wide = new GenerationOptions(null, null, null, null, null, null, 4, null, null, null,
                    1 << 20);
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(chat("tiny", wide, "hi"), r);
            assertTrue(r.awaitDone().stats().completionTokens() > 0, "a wider num_ctx is capped to the loaded one");
        }
    }

    @Test
    public void errorPolicyRefusesWithTheSizes() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().contextOverflow(ContextOverflow.ERROR).build(),
                models.resolver())) {
            InvalidRequestException e = expectThrows(InvalidRequestException.class,
                    () -> engine.submit(longChat(), new TestModels.Recorder()));
            assertTrue(e.getMessage().matches("prompt is \\d+ tokens.*the context holds 128.*"), e.getMessage());
        }
    }

    @Test
    public void aLastTurnThatCannotFitIsRefusedEvenWhenDropping() {
        TestModels models = new TestModels().add("tiny");
        try (LlamaEngine engine = new LlamaEngine(models.options().build(), models.resolver())) {
            InvalidRequestException e = expectThrows(InvalidRequestException.class, () -> engine.submit(
                    chat("tiny", predict(4), "short", "hello world ".repeat(40)), new TestModels.Recorder()));
            assertTrue(e.getMessage().contains("shorten it or raise num_ctx"), e.getMessage());
        }
    }

    @Test
    public void chatmlWhenTheGgufHasNoTemplate() {
        TestModels models = new TestModels().add("bare", TinyGguf.builder().chatTemplate(""), "Sys.",
                GenerationOptions.NONE);
        try (LlamaEngine engine = new LlamaEngine(models.options().build(), models.resolver())) {
            String rendered = engine.render("bare", List.of(new ChatMessage("user", "hi")));
            assertEquals(rendered, "<|im_start|>system\nSys.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
                    + "<|im_start|>assistant\n", "ChatML fallback");
        }
    }

    @Test
    public void secondRequestSharingALongPrefixSkipsMostPromptWork() {
        // Big enough that prompt work dominates timer noise on a busy 2-core machine (a 20 ms prompt did not).
        TestModels models = new TestModels().add("tiny", TinyGguf.builder().embedding(256).layers(4).feedForward(768)
                .contextLength(4096), "", GenerationOptions.NONE);
        try (LlamaEngine engine = new LlamaEngine(models.options().parallel(1).contextLength(2048).build(),
                models.resolver())) {
            String prefix = "the order of the world is not what you see. ".repeat(40);
            GenerationEvent.Done cold = run(engine, prefix + "first question");
            GenerationEvent.Done warm = run(engine, prefix + "second question");
            assertTrue(cold.stats().promptTokens() > 1000, "a long prompt: " + cold.stats());
            assertTrue(warm.stats().promptNanos() * 3 < cold.stats().promptNanos(),
                    "shared prefix reused: cold " + cold.stats().promptNanos() / 1000 + " µs, warm "
                            + warm.stats().promptNanos() / 1000 + " µs");
        }
    }

    private static GenerationEvent.Done run(LlamaEngine engine, String user) {
        TestModels.Recorder r = new TestModels.Recorder();
        engine.submit(chat("tiny", predict(2), user), r);
        return r.awaitDone();
    }

    private static void warmUp(LlamaEngine engine) {
        TestModels.Recorder r = new TestModels.Recorder();
        engine.submit(chat("tiny", predict(1), "hi"), r);
        r.awaitDone();
    }

    /** A system message then {@code n} alternating user/assistant turns ending with a user turn (n odd) or not. */
    static GenerationRequest turns(int n) {
        List<ChatMessage> messages = new java.util.ArrayList<>();
        messages.add(new ChatMessage("system", "sys"));
        for (int i = 0; i < n; i++) {
            messages.add(new ChatMessage(i % 2 == 0 ? "user" : "assistant", "turn " + i + " with some words"));
        }
        if (n % 2 == 0) {
            messages.add(new ChatMessage("user", "and the last question"));
        }
        return new GenerationRequest("tiny", new GenerationRequest.Chat(messages), predict(4));
    }

    private static GenerationRequest longChat() {
        String[] turns = new String[9];
        for (int i = 0; i < turns.length; i++) {
            turns[i] = "turn " + i + " with some words in it";
        }
        List<ChatMessage> messages = new java.util.ArrayList<>();
        messages.add(new ChatMessage("system", "sys"));
        for (int i = 0; i < turns.length; i++) {
            messages.add(new ChatMessage(i % 2 == 0 ? "user" : "assistant", turns[i]));
        }
        return new GenerationRequest("tiny", new GenerationRequest.Chat(messages), predict(4));
    }
}

package dev.botgate.backend.engine;

import static dev.botgate.backend.engine.TestModels.chat;
import static dev.botgate.backend.engine.TestModels.greedy;
import static dev.botgate.backend.engine.TestModels.predict;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The engine on the real llama.cpp with a tiny generated model: 4 slots of 128 tokens, one thread. */
public class LlamaEngineTest {
    private TestModels models;
    private LlamaEngine engine;

    @BeforeClass
    public void start() {
        models = new TestModels().add("tiny").variant("tiny-sys", "tiny", "Be brief.");
        engine = new LlamaEngine(models.options().build(), models.resolver());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        engine.close();
    }

    private TestModels.Recorder run(GenerationRequest request) {
        TestModels.Recorder recorder = new TestModels.Recorder();
        engine.submit(request, recorder);
        recorder.awaitTerminal();
        return recorder;
    }

    @Test
    public void streamsTokensThenExactlyOneDone() {
        TestModels.Recorder r = run(chat("tiny", predict(8), "hello world"));
        List<GenerationEvent> events = r.events;
        assertTrue(events.size() >= 2, "expected tokens then a terminal event: " + events);
        for (int i = 0; i < events.size() - 1; i++) {
            assertTrue(events.get(i) instanceof GenerationEvent.Token, "event " + i + " should be a token: " + events);
        }
        GenerationEvent.Done done = (GenerationEvent.Done) events.getLast();
        assertTrue(done.stats().promptTokens() > 0, "prompt tokens counted: " + done.stats());
        assertTrue(done.stats().completionTokens() > 0, "completion tokens counted: " + done.stats());
        assertTrue(done.stats().totalNanos() >= done.stats().promptNanos(), "total covers prompt time: " + done.stats());
    }

    @Test
    public void eightConcurrentRequestsOverFourSlotsAllComplete() {
        List<TestModels.Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TestModels.Recorder r = new TestModels.Recorder();
            engine.submit(chat("tiny", predict(16), "request number " + i), r);
            recorders.add(r);
        }
        for (TestModels.Recorder r : recorders) {
            GenerationEvent.Done done = r.awaitDone();
            assertNotEquals(done.reason(), GenerationEvent.DoneReason.CANCELLED, "no request should be cancelled");
            assertFalse(r.text().isEmpty(), "every request should produce text");
        }
        LoadedModel ps = engine.loaded().getFirst();
        assertEquals(ps.busySlots(), 0, "all slots free afterwards");
        assertEquals(ps.queued(), 0, "nothing queued afterwards");
    }

    @Test
    public void cancelMidStreamEndsCancelledQuicklyAndFreesTheSlot() throws Exception {
        TestModels.Recorder r = new TestModels.Recorder();
        Generation[] generation = new Generation[1];
        java.util.concurrent.CountDownLatch submitted = new java.util.concurrent.CountDownLatch(1);
        generation[0] = engine.submit(chat("tiny", predict(80), "tell me a long story"), event -> {
            r.accept(event);
            if (event instanceof GenerationEvent.Token) {
                try {
                    submitted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                generation[0].cancel();
            }
        });
        submitted.countDown();
        long start = System.nanoTime();
        GenerationEvent.Done done = r.awaitDone();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(done.reason(), GenerationEvent.DoneReason.CANCELLED, "cancelled generation reports CANCELLED");
        assertTrue(millis < 5000, "cancellation should end the stream quickly, took " + millis + " ms");
        long tokens = r.events.stream().filter(e -> e instanceof GenerationEvent.Token).count();
        assertTrue(tokens < 10, "generation should stop soon after cancel, got " + tokens + " tokens");
        generation[0].cancel(); // idempotent: no second terminal event
        assertEquals(r.events.stream().filter(e -> !(e instanceof GenerationEvent.Token)).count(), 1L,
                "exactly one terminal event");
        waitForIdle();
        assertEquals(run(chat("tiny", predict(4), "again")).awaitDone().reason() == GenerationEvent.DoneReason.CANCELLED,
                false, "the engine serves the next request");
    }

    @Test
    public void stopStringEndsWithStopAndIsNotSent() {
        String full = run(chat("tiny", greedy(24), "hello world")).text();
        assertTrue(full.length() >= 6, "need some text to pick a stop string from: '" + full + "'");
        String stop = full.substring(3, 5);
        int at = full.indexOf(stop);
        TestModels.Recorder r = run(chat("tiny", new GenerationOptions(0.0, null, null, null, 1, null, 24,
                List.of(stop), null, null), "hello world"));
        assertEquals(r.awaitDone().reason(), GenerationEvent.DoneReason.STOP, "a stop string ends with STOP");
        assertEquals(r.text(), full.substring(0, at), "text up to (not including) the stop string");
    }

    @Test
    public void numPredictEndsWithLength() {
        TestModels.Recorder r = run(chat("tiny", greedy(5), "hello world"));
        GenerationEvent.Done done = r.awaitDone();
        assertEquals(done.reason(), GenerationEvent.DoneReason.LENGTH, "num_predict reached: LENGTH");
        assertEquals(done.stats().completionTokens(), 5, "num_predict tokens generated");
    }

    @Test
    public void sameSeedAndTemperatureGiveTheSameText() {
        GenerationOptions sampled = new GenerationOptions(1.0, 0.95, 40, 0.0, 1234, 1.1, 16, null, null, null);
        String first = run(chat("tiny", sampled, "once upon a time")).text();
        String second = run(chat("tiny", sampled, "once upon a time")).text();
        assertFalse(first.isEmpty(), "generated something");
        assertEquals(second, first, "same seed and options give the same text");
    }

    @Test
    public void jsonSchemaConstrainsOutput() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"},\"ok\":{\"type\":\"boolean\"}},"
                + "\"required\":[\"n\",\"ok\"],\"additionalProperties\":false}";
        TestModels.Recorder r = run(chat("tiny", new GenerationOptions(0.8, null, null, null, 7, null, 80, null,
                schema, null), "give me json"));
        assertEquals(r.awaitDone().reason(), GenerationEvent.DoneReason.STOP, "grammar ends the output: " + r.text());
        JsonNode json = new ObjectMapper().readTree(r.text());
        assertTrue(json.get("n").isIntegralNumber(), "n is an integer: " + r.text());
        assertTrue(json.get("ok").isBoolean(), "ok is a boolean: " + r.text());
        assertEquals(json.size(), 2, "no other properties: " + r.text());
    }

    @Test
    public void formatJsonGivesAJsonObject() throws Exception {
        TestModels.Recorder r = run(chat("tiny", new GenerationOptions(0.0, null, null, null, 3, null, 100, null,
                null, true), "give me json"));
        GenerationEvent.Done done = r.awaitDone();
        if (done.reason() == GenerationEvent.DoneReason.STOP) {
            assertTrue(new ObjectMapper().readTree(r.text()).isObject(), "a JSON object: " + r.text());
        } else {
            assertTrue(r.text().startsWith("{"), "an unfinished JSON object: " + r.text());
        }
    }

    @Test
    public void badSchemasAreRefusedBeforeStartingAndTheProcessSurvives() {
        for (String bad : List.of("{\"type\":\"nonsense\"}", "not json", "{\"$ref\":\"https://example.com/s.json\"}",
                "{\"description\":\"no type\"}", "{\"type\":\"string\",\"pattern\":\"[a-z\"}",
                "{\"type\":\"array\",\"minItems\":\"two\"}")) {
            TestModels.Recorder refused = new TestModels.Recorder();
            InvalidRequestException e = expectThrows(() -> engine.submit(chat("tiny", new GenerationOptions(null, null,
                    null, null, null, null, 8, null, bad, null), "x"), refused));
            assertTrue(e.getMessage().contains("JSON") || e.getMessage().contains("schema"),
                    "message explains the schema problem: " + e.getMessage());
            assertTrue(refused.events.isEmpty(), "refused before starting: no event for " + bad);
        }
        // The process and the engine survive: a following request generates its whole budget.
        GenerationEvent.Done done = run(chat("tiny", greedy(2), "still alive")).awaitDone();
        assertEquals(done.reason(), GenerationEvent.DoneReason.LENGTH, "the engine still generates after refusals");
        assertEquals(done.stats().completionTokens(), 2, "both tokens of the budget generated");
    }

    @Test
    public void badOptionsAreRefused() {
        InvalidRequestException e = expectThrows(() -> engine.submit(chat("tiny", new GenerationOptions(null, 1.5,
                null, null, null, null, null, null, null, null), "x"), new TestModels.Recorder()));
        assertTrue(e.getMessage().contains("top_p"), e.getMessage());
    }

    @Test
    public void systemPromptFromTheModelIsRenderedWithTheGgufTemplate() {
        String rendered = engine.render("tiny-sys", List.of(new ChatMessage("user", "hi")));
        assertEquals(rendered, "system: Be brief.\nuser: hi\nassistant:",
                "the GGUF's template renders the Modelfile's system prompt");
        String own = engine.render("tiny-sys", List.of(new ChatMessage("system", "Mine."), new ChatMessage("user", "hi")));
        assertFalse(own.contains("Be brief."), "a chat's own system message replaces the model's: " + own);
        assertEquals(engine.loaded().size(), 1, "a variant of a loaded GGUF shares its load");
    }

    @Test
    public void unknownModelIsNotFound() {
        assertThrows(ModelNotFoundException.class,
                () -> engine.submit(chat("nope:latest", predict(2), "x"), new TestModels.Recorder()));
    }

    @Test
    public void loadedModelsShowMemoryAndSlots() {
        run(chat("tiny", predict(2), "x"));
        LoadedModel ps = engine.loaded().getFirst();
        assertEquals(ps.slots(), 4, "slots");
        assertEquals(ps.contextLength(), 128, "context per request");
        // 2 layers × (64 + 64) KV width × 2 bytes × 512 cells
        assertEquals(ps.memoryBytes() - ps.sizeBytes(), 2L * 128 * 2 * 512, "KV cache estimate");
        assertTrue(engine.metrics().requests() > 0, "metrics count requests");
    }

    private void waitForIdle() throws InterruptedException {
        for (int i = 0; i < 100 && engine.loaded().getFirst().busySlots() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(engine.loaded().getFirst().busySlots(), 0, "slot freed after cancel");
    }

    private static InvalidRequestException expectThrows(Runnable r) {
        try {
            r.run();
        } catch (InvalidRequestException e) {
            return e;
        }
        fail("expected InvalidRequestException");
        return null;
    }
}

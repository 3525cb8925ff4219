package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpResponse;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Issue 9: long chats over real HTTP against the real engine. Trimming used to re-render the whole chat after each
 * dropped turn (2,000 turns: 8.7 s; 10,000: minutes at 100 % of a core); {@code engine.num-predict} was applied
 * nowhere; a huge {@code num_ctx} gave a 500.
 */
public class LongChatTest {
    private static final int NUM_PREDICT = 3;
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("""
                engine:
                  threads: 1
                  context-size: 1024
                  parallel-slots: 2
                  queue-capacity: 4
                  num-predict: %d
                """.formatted(NUM_PREDICT), Map.of());
        // Load the model first, so the timings below measure trimming, not the first load.
        assertEquals(gw.post("/api/chat", chat(1, "\"options\":{\"num_predict\":1},")).statusCode(), 200);
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** {@code turns} alternating user/assistant messages ending with a user message, plus {@code extra} fields. */
    private static String chat(int turns, String extra) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are terse.");
        for (int i = 0; i < turns; i++) {
            boolean last = i == turns - 1;
            messages.addObject().put("role", i % 2 == 0 || last ? "user" : "assistant")
                    .put("content", "turn " + i + " with a few words in it");
        }
        String json = body.toString();
        return "{\"model\":\"tiny\",\"stream\":false," + extra + json.substring(1);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    public void tenThousandTurnsAreRefusedWithinASecond() {
        long start = System.nanoTime();
        HttpResponse<String> r = gw.post("/api/chat", chat(10_000, ""));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("10,000-turn /api/chat answered " + r.statusCode() + " in " + millis + " ms");
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(r.body().contains("engine.max-turns"), "names the setting: " + r.body());
        // Asserted generously so a busy 2-core machine stays green; it takes well under a second.
        assertTrue(millis < 5_000, "refused at once, took " + millis + " ms");
    }

    @Test
    public void twoThousandTurnsAreTrimmedAndAnswered() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = gw.post("/api/chat", chat(2_000, ""));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("2,000-turn /api/chat trimmed and answered in " + millis + " ms");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode done = json(r);
        assertTrue(done.path("dropped_turns").asInt() > 1_500, "old turns dropped: " + done);
        assertTrue(done.path("prompt_eval_count").asInt() < 1024, "the prompt fits the context: " + done);
        assertTrue(done.path("eval_count").asInt() > 0, "answered: " + done);
        assertTrue(millis < 5_000, "linear trimming, took " + millis + " ms");
    }

    @Test
    public void twoThousandTurnsAreTrimmedOnTheOpenAiRouteToo() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat(2_000, "").replace("\"stream\":false,", ""));
        assertEquals(r.statusCode(), 200, r.body());
        assertTrue(json(r).path("usage").path("prompt_tokens").asInt() < 1024, r.body());
    }

    @Test
    public void aRequestWithoutALimitStopsAtTheConfiguredNumPredict() throws Exception {
        JsonNode ollama = json(gw.post("/api/chat", chat(1, "\"options\":{\"temperature\":0},")));
        assertEquals(ollama.path("eval_count").asInt(), NUM_PREDICT, "engine.num-predict applied: " + ollama);
        assertEquals(ollama.path("done_reason").asText(), "length", ollama.toString());
        JsonNode openAi = json(gw.post("/v1/chat/completions", chat(1, "\"temperature\":0,")));
        assertEquals(openAi.path("usage").path("completion_tokens").asInt(), NUM_PREDICT, openAi.toString());
        assertEquals(openAi.path("choices").get(0).path("finish_reason").asText(), "length", openAi.toString());
        JsonNode own = json(gw.post("/api/chat", chat(1, "\"options\":{\"temperature\":0,\"num_predict\":5},")));
        assertEquals(own.path("eval_count").asInt(), 5, "the request's own limit wins: " + own);
        JsonNode generate = json(gw.post("/api/generate",
                "{\"model\":\"tiny\",\"stream\":false,\"prompt\":\"hello\",\"options\":{\"temperature\":0}}"));
        assertEquals(generate.path("eval_count").asInt(), NUM_PREDICT, "/api/generate too: " + generate);
    }

    @Test
    public void aHugeNumCtxIs400NotA500() throws Exception {
        HttpResponse<String> r = gw.post("/api/chat", chat(1, "\"options\":{\"num_ctx\":1073741824},"));
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(r.body().contains("num_ctx"), r.body());
        HttpResponse<String> small = gw.post("/api/chat", chat(40, "\"options\":{\"num_ctx\":256},"));
        assertEquals(small.statusCode(), 200, small.body());
        JsonNode done = json(small);
        assertTrue(done.path("dropped_turns").asInt() > 0 && done.path("prompt_eval_count").asInt() < 256,
                "a narrower window trims more: " + done);
    }
}

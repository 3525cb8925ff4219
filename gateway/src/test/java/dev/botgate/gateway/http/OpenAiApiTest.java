package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The OpenAI-compatible API: SSE framing, usage, error shape, models incl. bots, embeddings, bots as models. */
public class OpenAiApiTest {
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("""
                bots:
                  - id: helper
                    channel: local
                    knowledge: []
                    fallback: "no idea"
                """, Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    public void nonStreamingCompletionHasUsage() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello\"}],\"max_tokens\":4}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertEquals(n.path("object").asText(), "chat.completion");
        assertTrue(n.path("id").asText().startsWith("chatcmpl-"));
        assertEquals(n.path("choices").get(0).path("message").path("role").asText(), "assistant");
        assertEquals(n.path("choices").get(0).path("finish_reason").asText(), "length");
        assertEquals(n.path("usage").path("completion_tokens").asInt(), 4);
        assertEquals(n.path("usage").path("total_tokens").asInt(),
                n.path("usage").path("prompt_tokens").asInt() + 4);
    }

    @Test
    public void streamingIsServerSentEventsEndingWithDone() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"tiny\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                + "\"text\",\"text\":\"hi\"}]}],\"max_tokens\":3}");
        assertEquals(r.statusCode(), 200, r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> frames = new ArrayList<>();
        for (String block : r.body().split("\n\n")) {
            if (!block.isBlank()) {
                assertTrue(block.startsWith("data: "), "every frame is a data line: " + block);
                frames.add(block.substring(6));
            }
        }
        assertEquals(frames.getLast(), "[DONE]");
        JsonNode first = Json.MAPPER.readTree(frames.getFirst());
        assertEquals(first.path("object").asText(), "chat.completion.chunk");
        assertEquals(first.path("choices").get(0).path("delta").path("role").asText(), "assistant");
        JsonNode usage = Json.MAPPER.readTree(frames.get(frames.size() - 2));
        assertEquals(usage.path("usage").path("completion_tokens").asInt(), 3);
        JsonNode finish = Json.MAPPER.readTree(frames.get(frames.size() - 3));
        assertEquals(finish.path("choices").get(0).path("finish_reason").asText(), "length");
    }

    @Test
    public void jsonSchemaResponseFormatGivesParseableJson() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"give json\"}],\"max_tokens\":60,\"seed\":3,\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":"
                + "\"boolean\"}},\"required\":[\"ok\"]}}}}");
        assertEquals(r.statusCode(), 200, r.body());
        String content = Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
        JsonNode parsed = Json.MAPPER.readTree(content);
        assertTrue(parsed.path("ok").isBoolean(), "grammar-constrained output follows the schema: " + content);
    }

    @Test
    public void errorsUseOpenAiShape() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[]}");
        assertEquals(r.statusCode(), 404);
        JsonNode e = Json.MAPPER.readTree(r.body()).path("error");
        assertFalse(e.path("message").asText().isEmpty(), r.body());
        assertEquals(e.path("type").asText(), "not_found_error");
        HttpResponse<String> bad = gw.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"top_p\":7}");
        assertEquals(bad.statusCode(), 400);
        assertEquals(Json.MAPPER.readTree(bad.body()).path("error").path("type").asText(), "invalid_request_error");
    }

    @Test
    public void modelsListModelsBotsAndTheEmbeddingModel() throws Exception {
        JsonNode data = Json.MAPPER.readTree(gw.get("/v1/models").body()).path("data");
        List<String> ids = new ArrayList<>();
        data.forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(ids.contains(TestGateway.MODEL), ids.toString());
        assertTrue(ids.contains("bot/helper"), ids.toString());
        assertTrue(ids.contains("bge-small-zh-v1.5"), ids.toString());
    }

    @Test
    public void embeddingsAsFloatsAndBase64() throws Exception {
        HttpResponse<String> r = gw.post("/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":\"发票\"}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode d = Json.MAPPER.readTree(r.body()).path("data").get(0);
        assertEquals(d.path("embedding").size(), 512);
        HttpResponse<String> b = gw.post("/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":[\"发票\"],"
                + "\"encoding_format\":\"base64\"}");
        String b64 = Json.MAPPER.readTree(b.body()).path("data").get(0).path("embedding").asText();
        assertEquals(java.util.Base64.getDecoder().decode(b64).length, 512 * 4);
    }

    @Test
    public void aBotAnswersAsAModelThroughItsPipeline() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"bot/helper\",\"user\":\"u1\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText(),
                "no idea", "a bot without knowledge or model answers its fallback");
        HttpResponse<String> s = gw.post("/v1/chat/completions", "{\"model\":\"bot/helper\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertTrue(s.body().contains("no idea") && s.body().trim().endsWith("data: [DONE]"), s.body());
        assertEquals(gw.post("/v1/chat/completions", "{\"model\":\"bot/ghost\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}]}").statusCode(), 404);
    }
}

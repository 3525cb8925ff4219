package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The Ollama-compatible API against the real engine on a tiny model: shapes, streaming framing, errors. */
public class OllamaApiTest {
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("", Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    public void versionAndTags() throws Exception {
        HttpResponse<String> v = gw.get("/api/version");
        assertEquals(v.statusCode(), 200);
        assertFalse(json(v).path("version").asText().isEmpty());
        JsonNode tags = json(gw.get("/api/tags"));
        JsonNode m = tags.path("models").get(0);
        assertEquals(m.path("name").asText(), TestGateway.MODEL);
        assertEquals(m.path("details").path("format").asText(), "gguf");
        assertEquals(m.path("details").path("family").asText(), "llama");
        assertTrue(m.path("size").asLong() > 100_000, "size is the GGUF's byte size");
        assertEquals(m.path("digest").asText().length(), 64, "digest is hex sha256 like Ollama's");
    }

    @Test
    public void showReportsGgufMetadata() throws Exception {
        HttpResponse<String> r = gw.post("/api/show", "{\"model\":\"tiny\"}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode s = json(r);
        assertEquals(s.path("model_info").path("general.architecture").asText(), "llama");
        assertEquals(s.path("model_info").path("llama.embedding_length").asInt(), 64);
        assertTrue(s.path("modelfile").asText().contains("FROM"), "modelfile is rendered");
        assertEquals(gw.post("/api/show", "{\"model\":\"nope:1b\"}").statusCode(), 404);
    }

    @Test
    public void chatStreamsNdjsonThenADoneLineWithStats() throws Exception {
        HttpResponse<String> r = gw.post("/api/chat", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello\"}],\"options\":{\"num_predict\":5,\"seed\":1}}");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(r.headers().firstValue("content-type").orElse(""), "application/x-ndjson");
        List<String> lines = r.body().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() >= 2, "token lines then a final line: " + r.body());
        for (String l : lines.subList(0, lines.size() - 1)) {
            JsonNode n = Json.MAPPER.readTree(l);
            assertFalse(n.path("done").asBoolean());
            assertEquals(n.path("message").path("role").asText(), "assistant");
        }
        JsonNode last = Json.MAPPER.readTree(lines.getLast());
        assertTrue(last.path("done").asBoolean());
        assertEquals(last.path("done_reason").asText(), "length", "num_predict 5 stops on length");
        assertEquals(last.path("eval_count").asInt(), 5);
        assertTrue(last.path("prompt_eval_count").asInt() > 0);
        assertTrue(last.path("total_duration").asLong() > 0);
    }

    @Test
    public void chatWithoutStreamingAnswersOneObject() throws Exception {
        HttpResponse<String> r = gw.post("/api/chat", "{\"model\":\"tiny\",\"stream\":false,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hello\"}],\"options\":{\"num_predict\":4}}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode n = json(r);
        assertTrue(n.path("done").asBoolean());
        assertFalse(n.path("message").path("content").asText().isEmpty());
    }

    @Test
    public void generateWithRawPrompt() throws Exception {
        HttpResponse<String> r = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"the model\",\"raw\":true,"
                + "\"stream\":false,\"options\":{\"num_predict\":3,\"temperature\":0}}");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(json(r).path("eval_count").asInt(), 3);
        assertTrue(json(r).has("response"));
    }

    @Test
    public void errorsAre4xxWithAReason() throws Exception {
        HttpResponse<String> malformed = gw.post("/api/chat", "{\"model\":");
        assertEquals(malformed.statusCode(), 400);
        assertTrue(json(malformed).path("error").asText().contains("malformed JSON"), malformed.body());
        HttpResponse<String> unknown = gw.post("/api/chat", "{\"model\":\"missing:7b\",\"messages\":[]}");
        assertEquals(unknown.statusCode(), 404);
        assertTrue(json(unknown).path("error").asText().contains("botgate pull"), unknown.body());
        HttpResponse<String> badOption = gw.post("/api/chat", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"options\":{\"temperature\":\"hot\"}}");
        assertEquals(badOption.statusCode(), 400);
        assertTrue(json(badOption).path("error").asText().contains("temperature"), badOption.body());
        HttpResponse<String> badRole = gw.post("/api/chat", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"robot\","
                + "\"content\":\"x\"}]}");
        assertEquals(badRole.statusCode(), 400);
        assertEquals(gw.post("/api/chat", "[1,2]").statusCode(), 400);
        assertEquals(gw.delete("/api/delete", "{\"model\":\"ghost:1b\"}").statusCode(), 404);
    }

    @Test
    public void embedServesTheKnowledgeEmbeddingModel() throws Exception {
        HttpResponse<String> r = gw.post("/api/embed", "{\"model\":\"bge-small-zh-v1.5\",\"input\":[\"如何退货\",\"退货流程\"]}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode e = json(r).path("embeddings");
        assertEquals(e.size(), 2);
        assertEquals(e.get(0).size(), 512);
        double dot = 0;
        for (int i = 0; i < 512; i++) {
            dot += e.get(0).get(i).asDouble() * e.get(1).get(i).asDouble();
        }
        assertTrue(dot > 0.6, "related Chinese questions are close: " + dot);
        assertEquals(gw.post("/api/embed", "{\"model\":\"tiny\",\"input\":\"x\"}").statusCode(), 404,
                "chat models are refused for embeddings with the reason");
    }

    @Test
    public void psShowsTheLoadedModelAfterUse() throws Exception {
        gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":1}}");
        JsonNode ps = json(gw.get("/api/ps"));
        assertEquals(ps.path("models").get(0).path("name").asText(), TestGateway.MODEL);
        assertEquals(ps.path("models").get(0).path("slots").asInt(), 2);
    }
}

package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import io.helidon.http.Method;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The endpoints and fields real OpenAI and Ollama clients call, each working or refused with a reason. */
public class ApiParityTest {
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

    private JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static List<JsonNode> sse(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                out.add(Json.MAPPER.readTree(line.substring(6)));
            }
        }
        return out;
    }

    @Test
    public void oneModelById() throws Exception {
        HttpResponse<String> r = gw.get("/v1/models/tiny:latest");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(json(r).path("id").asText(), "tiny:latest");
        assertEquals(json(r).path("object").asText(), "model");
        assertEquals(gw.get("/v1/models/bot/helper").statusCode(), 200, "a bot's id has a slash");
        assertEquals(gw.get("/v1/models/" + ModelRoutes.EMBEDDING_MODEL).statusCode(), 200);
        HttpResponse<String> missing = gw.get("/v1/models/nope");
        assertEquals(missing.statusCode(), 404, missing.body());
        assertTrue(missing.body().contains("nope"), missing.body());
    }

    @Test
    public void legacyCompletions() throws Exception {
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":3}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode n = json(r);
        assertEquals(n.path("object").asText(), "text_completion");
        assertEquals(n.path("choices").get(0).path("finish_reason").asText(), "length");
        assertEquals(n.path("usage").path("completion_tokens").asInt(), 3);
        HttpResponse<String> s = gw.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"hello\"],\"max_tokens\":3,"
                + "\"stream\":true}");
        assertEquals(s.statusCode(), 200, s.body());
        List<JsonNode> chunks = sse(s.body());
        assertEquals(chunks.getLast().path("choices").get(0).path("finish_reason").asText(), "length", s.body());
        assertTrue(s.body().strip().endsWith("data: [DONE]"));
        assertEquals(gw.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"echo\":true}").statusCode(), 400);
    }

    @Test
    public void responsesTextInAndOut() throws Exception {
        HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"tiny\",\"instructions\":\"Be brief.\","
                + "\"input\":\"hello\",\"max_output_tokens\":4}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode n = json(r);
        assertEquals(n.path("object").asText(), "response");
        assertTrue(n.path("id").asText().startsWith("resp_"));
        assertEquals(n.path("status").asText(), "incomplete", "cut by max_output_tokens: " + r.body());
        assertEquals(n.path("incomplete_details").path("reason").asText(), "max_output_tokens");
        JsonNode part = n.path("output").get(0).path("content").get(0);
        assertEquals(part.path("type").asText(), "output_text");
        assertEquals(n.path("usage").path("output_tokens").asInt(), 4);
        assertEquals(gw.post("/v1/responses", "{\"model\":\"tiny\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}")
                .statusCode(), 400);
    }

    @Test
    public void responsesStreamEvents() throws Exception {
        HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"tiny\",\"stream\":true,\"input\":[{\"role\":"
                + "\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}],\"max_output_tokens\":4}");
        assertEquals(r.statusCode(), 200, r.body());
        List<String> types = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        int seq = 0;
        for (JsonNode e : sse(r.body())) {
            types.add(e.path("type").asText());
            assertEquals(e.path("sequence_number").asInt(), seq++, "sequence numbers count up");
            if (e.path("type").asText().equals("response.output_text.delta")) {
                deltas.append(e.path("delta").asText());
            }
        }
        assertEquals(types.getFirst(), "response.created", types.toString());
        assertTrue(types.indexOf("response.output_item.added") < types.indexOf("response.output_text.delta"),
                types.toString());
        assertTrue(types.contains("response.output_text.done"), types.toString());
        assertEquals(types.getLast(), "response.incomplete", types.toString());
        JsonNode last = sse(r.body()).getLast();
        assertEquals(last.path("response").path("output").get(0).path("content").get(0).path("text").asText(),
                deltas.toString(), "the final text is the deltas joined");
        assertTrue(r.body().contains("event: response.created\n"), "SSE event names are sent");
    }

    @Test
    public void logprobsAndDimensionsAreRefusedWithAReason() throws Exception {
        HttpResponse<String> lp = gw.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"logprobs\":true,\"top_logprobs\":2}");
        assertEquals(lp.statusCode(), 400, lp.body());
        assertTrue(lp.body().contains("logprobs"), lp.body());
        HttpResponse<String> dims = gw.post("/v1/embeddings", "{\"model\":\"" + ModelRoutes.EMBEDDING_MODEL
                + "\",\"input\":\"x\",\"dimensions\":256}");
        assertEquals(dims.statusCode(), 400, dims.body());
        assertTrue(dims.body().contains("512"), dims.body());
        HttpResponse<String> same = gw.post("/v1/embeddings", "{\"model\":\"" + ModelRoutes.EMBEDDING_MODEL
                + "\",\"input\":\"x\",\"dimensions\":512}");
        assertEquals(same.statusCode(), 200, same.body());
        assertEquals(json(same).path("data").get(0).path("embedding").size(), 512);
    }

    @Test
    public void rootAnswersOllamaClientsAndBrowsers() {
        HttpResponse<String> plain = gw.get("/");
        assertEquals(plain.statusCode(), 200);
        assertEquals(plain.body(), "Ollama is running");
        HttpResponse<String> head = gw.send(HttpRequest.newBuilder(gw.uri("/")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(head.statusCode(), 200);
        HttpResponse<String> browser = gw.send(HttpRequest.newBuilder(gw.uri("/"))
                .header("Accept", "text/html,application/xhtml+xml").GET().build());
        assertTrue(browser.body().contains("<html") || browser.body().contains("<!doctype")
                || browser.body().contains("<!DOCTYPE"), "the console for browsers");
    }

    @Test
    public void copyPushAndQuantize() throws Exception {
        HttpResponse<String> copy = gw.post("/api/copy", "{\"source\":\"tiny\",\"destination\":\"tiny-copy\"}");
        assertEquals(copy.statusCode(), 200, copy.body());
        assertTrue(gw.get("/api/tags").body().contains("tiny-copy:latest"));
        HttpResponse<String> push = gw.post("/api/push", "{\"model\":\"tiny\"}");
        assertEquals(push.statusCode(), 501, push.body());
        assertTrue(json(push).path("error").asText().contains("push is not supported"), push.body());
        HttpResponse<String> q = gw.post("/api/create", "{\"model\":\"q\",\"from\":\"tiny\",\"quantize\":\"q4_K_M\"}");
        assertEquals(q.statusCode(), 400, q.body());
        assertTrue(q.body().contains("quantize"), q.body());
    }

    @Test
    public void blobUploadThenCreateWithFiles() throws Exception {
        Path gguf = TinyGguf.builder().seed(7).write(Files.createTempDirectory("blob").resolve("m.gguf"));
        byte[] bytes = Files.readAllBytes(gguf);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpRequest head = HttpRequest.newBuilder(gw.uri("/api/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        assertEquals(gw.send(head).statusCode(), 404, "not uploaded yet");
        HttpResponse<String> wrong = gw.send(HttpRequest.newBuilder(gw.uri("/api/blobs/sha256:" + "0".repeat(64)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
        assertEquals(wrong.statusCode(), 400, wrong.body());
        HttpResponse<String> up = gw.send(HttpRequest.newBuilder(gw.uri("/api/blobs/" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
        assertEquals(up.statusCode(), 201, up.body());
        assertEquals(gw.send(head).statusCode(), 200, "uploaded");
        HttpResponse<String> create = gw.post("/api/create", "{\"model\":\"uploaded\",\"files\":{\"m.gguf\":\""
                + digest + "\"},\"system\":\"Be brief.\",\"stream\":false}");
        assertEquals(create.statusCode(), 200, create.body());
        assertTrue(gw.get("/api/tags").body().contains("uploaded:latest"));
        HttpResponse<String> missing = gw.post("/api/create", "{\"model\":\"x\",\"files\":{\"m.gguf\":\"sha256:"
                + "1".repeat(64) + "\"}}");
        assertEquals(missing.statusCode(), 400, missing.body());
    }

    @Test
    public void generateReturnsContextAndAcceptsItBack() throws Exception {
        HttpResponse<String> first = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"hello\",\"stream\":false,"
                + "\"options\":{\"num_predict\":3}}");
        assertEquals(first.statusCode(), 200, first.body());
        JsonNode context = json(first).path("context");
        assertTrue(context.isArray() && !context.isEmpty(), first.body());
        int firstPrompt = json(first).path("prompt_eval_count").asInt();
        HttpResponse<String> second = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"hello\",\"stream\":false,"
                + "\"options\":{\"num_predict\":3},\"context\":" + context + "}");
        assertEquals(second.statusCode(), 200, second.body());
        assertTrue(json(second).path("prompt_eval_count").asInt() > firstPrompt,
                "the earlier exchange is part of the prompt: " + firstPrompt + " then " + second.body());
        HttpResponse<String> foreign = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"context\":[1,2,3]}");
        assertEquals(foreign.statusCode(), 400, foreign.body());
    }

    @Test
    public void loadAndUnloadIdiomsAnswerAtOnce() throws Exception {
        HttpResponse<String> load = gw.post("/api/generate", "{\"model\":\"tiny\"}");
        assertEquals(load.statusCode(), 200, load.body());
        assertEquals(json(load).path("done_reason").asText(), "load");
        assertTrue(json(load).path("done").asBoolean());
        HttpResponse<String> chatLoad = gw.post("/api/chat", "{\"model\":\"tiny\",\"messages\":[]}");
        assertEquals(json(chatLoad).path("done_reason").asText(), "load", chatLoad.body());
        HttpResponse<String> unload = gw.post("/api/generate", "{\"model\":\"tiny\",\"keep_alive\":0}");
        assertEquals(json(unload).path("done_reason").asText(), "unload", unload.body());
        HttpResponse<String> chatUnload = gw.post("/api/chat", "{\"model\":\"tiny\",\"messages\":[],\"keep_alive\":\"0s\"}");
        assertEquals(json(chatUnload).path("done_reason").asText(), "unload", chatUnload.body());
        HttpResponse<String> unknown = gw.post("/api/generate", "{\"model\":\"nope\"}");
        assertEquals(unknown.statusCode(), 404, "loading an unknown model: " + unknown.body());
    }

    @Test
    public void embedReportsLoadAndPromptCountsAndTheModelIsListed() throws Exception {
        HttpResponse<String> r = gw.post("/api/embed", "{\"model\":\"" + ModelRoutes.EMBEDDING_MODEL
                + "\",\"input\":[\"退货\",\"发票\"]}");
        assertEquals(r.statusCode(), 200, r.body());
        assertTrue(json(r).has("load_duration"), r.body());
        assertTrue(json(r).path("prompt_eval_count").asInt() > 0, r.body());
        assertTrue(gw.get("/api/tags").body().contains(ModelRoutes.EMBEDDING_MODEL + ":latest"));
        HttpResponse<String> show = gw.post("/api/show", "{\"model\":\"" + ModelRoutes.EMBEDDING_MODEL + "\"}");
        assertEquals(show.statusCode(), 200, show.body());
        assertEquals(json(show).path("capabilities").get(0).asText(), "embedding");
    }

    @Test
    public void ollamaImagesOnGenerateAreRefused() {
        HttpResponse<String> r = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"what\",\"images\":[\"AA\"]}");
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(r.body().contains("text-only"), r.body());
    }

    @Test
    public void thinkSplitsTheReasoningPart() {
        ThinkSplitter s = new ThinkSplitter();
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String piece : List.of(" <thi", "nk>plan it", "</th", "ink>\n\nThe answer", ".")) {
            ThinkSplitter.Split split = s.feed(piece);
            thinking.append(split.thinking());
            content.append(split.content());
        }
        ThinkSplitter.Split end = s.finish();
        assertEquals(thinking.append(end.thinking()).toString(), "plan it");
        assertEquals(content.append(end.content()).toString(), "The answer.");
        ThinkSplitter none = new ThinkSplitter();
        assertEquals(none.feed("plain <think> text").content(), "plain <think> text");
    }

    @Test
    public void useKeysMayCallTheNewClientRoutes() {
        assertTrue(ApiKeys.useMay(Method.POST, "/v1/completions"));
        assertTrue(ApiKeys.useMay(Method.POST, "/v1/responses"));
        assertTrue(ApiKeys.useMay(Method.GET, "/v1/models/tiny:latest"));
        assertFalse(ApiKeys.useMay(Method.POST, "/api/blobs/sha256:00"), "uploading models is admin work");
        assertFalse(ApiKeys.useMay(Method.POST, "/api/copy"));
    }

    @Test
    public void thinkOnAModelWithoutReasoningLeavesThinkingOut() throws Exception {
        HttpResponse<String> r = gw.post("/api/chat", "{\"model\":\"tiny\",\"think\":true,\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"num_predict\":3}}");
        assertEquals(r.statusCode(), 200, r.body());
        assertNull(json(r).path("message").get("thinking"), r.body());
    }
}

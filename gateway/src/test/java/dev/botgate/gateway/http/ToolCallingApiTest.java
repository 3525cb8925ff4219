package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Tool calling over both APIs with a tiny model that carries Qwen2.5's template: forced calls come back in each API's
 * shape (whole and streamed), results go back in, and what cannot be done is a 400.
 */
public class ToolCallingApiTest {
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Weather for a city",
              "parameters":{"type":"object","properties":{"city":{"enum":["Oslo","Rome"]},
              "unit":{"enum":["C","F"]}},"required":["city","unit"]}}},
             {"type":"function","function":{"name":"get_time","parameters":{"type":"object",
              "properties":{"zone":{"enum":["UTC","CET"]}},"required":["zone"]}}}]""";
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        Path home = Files.createTempDirectory("botgate-tools");
        Path gguf = TinyGguf.builder().chatTemplate(TinyGguf.QWEN25_TEMPLATE).write(home.resolve("qwen-tools.gguf"));
        ModelStore.builder(home.resolve("models")).build().pull(gguf.toString(), "qwen-tools", p -> { });
        gw = TestGateway.startIn(home, """
                engine:
                  threads: 1
                  context-size: 2048
                  parallel-slots: 2
                  queue-capacity: 4
                  max-loaded-models: 2
                """, Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static void assertSchemaValid(String name, JsonNode args) {
        if (name.equals("get_weather")) {
            assertTrue(Set.of("Oslo", "Rome").contains(args.path("city").asText()), args.toString());
            assertTrue(Set.of("C", "F").contains(args.path("unit").asText()), args.toString());
        } else {
            assertEquals(name, "get_time");
            assertTrue(Set.of("UTC", "CET").contains(args.path("zone").asText()), args.toString());
        }
    }

    @Test
    public void openAiRequiredCallComesBackAsToolCalls() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"weather in Oslo?"}],
                 "tools":%s,"tool_choice":"required","max_tokens":200}""".formatted(TOOLS));
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode choice = Json.MAPPER.readTree(r.body()).path("choices").get(0);
        assertEquals(choice.path("finish_reason").asText(), "tool_calls", r.body());
        JsonNode call = choice.path("message").path("tool_calls").get(0);
        assertTrue(call.path("id").asText().startsWith("call_"), r.body());
        assertEquals(call.path("type").asText(), "function");
        String name = call.path("function").path("name").asText();
        assertSchemaValid(name, Json.MAPPER.readTree(call.path("function").path("arguments").asText()));
    }

    @Test
    public void openAiNamedCallStreamsAsADelta() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","stream":true,"messages":[{"role":"user","content":"time?"}],"tools":%s,
                 "tool_choice":{"type":"function","function":{"name":"get_time"}},"max_tokens":200}""".formatted(TOOLS));
        assertEquals(r.statusCode(), 200, r.body());
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) {
                chunks.add(Json.MAPPER.readTree(line.substring(6)));
            }
        }
        assertTrue(r.body().strip().endsWith("data: [DONE]"), r.body());
        JsonNode call = chunks.stream().map(c -> c.path("choices").path(0).path("delta").path("tool_calls"))
                .filter(JsonNode::isArray).findFirst().orElseThrow(() -> new AssertionError(r.body())).get(0);
        assertEquals(call.path("index").asInt(-1), 0, r.body());
        assertEquals(call.path("function").path("name").asText(), "get_time");
        assertSchemaValid("get_time", Json.MAPPER.readTree(call.path("function").path("arguments").asText()));
        assertEquals(chunks.getLast().path("choices").path(0).path("finish_reason").asText(), "tool_calls", r.body());
    }

    @Test
    public void toolResultRoundTrip() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"weather in Oslo?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\",\\"unit\\":\\"C\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny, 21 C"}],
                 "tools":%s,"tool_choice":"none","max_tokens":5}""".formatted(TOOLS));
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertEquals(n.path("choices").get(0).path("finish_reason").asText(), "length", r.body());
        assertTrue(n.path("usage").path("prompt_tokens").asInt() > 50, "the call and result are in the prompt: " + r.body());
    }

    @Test
    public void ollamaChatReturnsMessageToolCalls() throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> r = gw.post("/api/chat", """
                    {"model":"qwen-tools","stream":%s,"messages":[{"role":"user","content":"weather?"}],"tools":%s,
                     "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                     "options":{"num_predict":200}}""".formatted(stream, TOOLS));
            assertEquals(r.statusCode(), 200, r.body());
            String[] lines = r.body().strip().split("\n");
            JsonNode last = Json.MAPPER.readTree(lines[lines.length - 1]);
            assertTrue(last.path("done").asBoolean(), r.body());
            JsonNode call = last.path("message").path("tool_calls").get(0);
            assertEquals(call.path("function").path("name").asText(), "get_weather", r.body());
            assertTrue(call.path("function").path("arguments").isObject(), "Ollama's arguments are an object: " + r.body());
            assertSchemaValid("get_weather", call.path("function").path("arguments"));
        }
    }

    @Test
    public void badToolRequestsAre400() {
        HttpResponse<String> unknown = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"x"}],"tools":%s,
                 "tool_choice":{"type":"function","function":{"name":"nope"}}}""".formatted(TOOLS));
        assertEquals(unknown.statusCode(), 400, unknown.body());
        assertTrue(unknown.body().contains("nope"), unknown.body());
        HttpResponse<String> choice = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}""");
        assertEquals(choice.statusCode(), 400, choice.body());
        HttpResponse<String> required = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}""");
        assertEquals(required.statusCode(), 400, required.body());
    }

    @Test
    public void imagesAreRefusedNamingTheModelTextOnly() {
        HttpResponse<String> openAi = gw.post("/v1/chat/completions", """
                {"model":"qwen-tools","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""");
        assertEquals(openAi.statusCode(), 400, openAi.body());
        assertTrue(openAi.body().contains("'qwen-tools' is text-only"), openAi.body());
        HttpResponse<String> ollama = gw.post("/api/chat", """
                {"model":"qwen-tools","messages":[{"role":"user","content":"what is this","images":["AAAA"]}]}""");
        assertEquals(ollama.statusCode(), 400, ollama.body());
        assertTrue(ollama.body().contains("text-only"), ollama.body());
    }
}

package dev.botgate.backend.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.backend.store.TinyGguf;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Tool calling on the real llama.cpp with a tiny model whose GGUF carries Qwen2.5's template: the template renders
 * tools, calls and results; a forced call comes back as a call with schema-valid arguments even from gibberish weights.
 */
public class ToolCallingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ToolSpec WEATHER = new ToolSpec("get_weather", "Weather for a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Oslo\",\"Rome\"]},"
                    + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7}},\"required\":[\"city\",\"days\"]}");
    static final ToolSpec TIME = new ToolSpec("get_time", "", "{\"type\":\"object\",\"properties\":{\"zone\":"
            + "{\"enum\":[\"UTC\",\"CET\"]}},\"required\":[\"zone\"]}");
    private TestModels models;
    private LlamaEngine engine;

    @BeforeClass
    public void start() {
        models = new TestModels()
                .add("qwen", TinyGguf.builder().chatTemplate(TinyGguf.QWEN25_TEMPLATE), "", GenerationOptions.NONE)
                .add("plain");
        engine = new LlamaEngine(models.options().contextLength(2048).parallel(2).maxLoadedModels(2).build(), models.resolver());
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

    private static GenerationRequest ask(String model, Tools tools, ChatMessage... messages) {
        return new GenerationRequest(model, new GenerationRequest.Chat(List.of(messages)), TestModels.predict(200), tools);
    }

    @Test
    public void qwenTemplateShowsToolsCallsAndResults() {
        ChatTemplate t = new ChatTemplate(TinyGguf.QWEN25_TEMPLATE, "<s>", "</s>");
        assertEquals(t.format(), ToolFormat.HERMES);
        String prompt = t.render(List.of(new ChatMessage("user", "weather in Paris?"),
                new ChatMessage("assistant", "", List.of(new ToolCall("call_1", "get_weather",
                        "{\"city\":\"Paris\",\"days\":1}")), ""),
                new ChatMessage("tool", "sunny", List.of(), "call_1")), List.of(WEATHER));
        assertTrue(prompt.contains("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"get_weather\""),
                "tools listed as JSON in the system turn: " + prompt);
        assertTrue(prompt.contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\","
                + "\"days\":1}}\n</tool_call><|im_end|>"), "the assistant's call rendered: " + prompt);
        assertTrue(prompt.contains("<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>"),
                "the tool result rendered as Qwen does: " + prompt);
        assertTrue(prompt.endsWith("<|im_start|>assistant\n"), "ends with the generation prompt: " + prompt);
    }

    @Test
    public void templateWithoutToolsGetsThemInTheSystemTurn() {
        ChatTemplate t = new ChatTemplate(TinyGguf.CHAT_TEMPLATE, "<s>", "</s>");
        String prompt = t.render(List.of(new ChatMessage("user", "hi"), new ChatMessage("tool", "42", List.of(), "c")),
                List.of(WEATHER));
        assertTrue(prompt.startsWith("<s>system: # Tools"), "tool instructions as the system turn: " + prompt);
        assertTrue(prompt.contains("user: <tool_response>\n42\n</tool_response>"), "tool result as text: " + prompt);
    }

    @Test
    public void noTemplateFallsBackToChatmlWithTools() {
        ChatTemplate t = new ChatTemplate("", "", "");
        String prompt = t.render(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "hi")),
                List.of(TIME));
        assertTrue(prompt.startsWith("<|im_start|>system\nBe brief.\n\n# Tools"), prompt);
        assertTrue(prompt.contains("\"name\":\"get_time\""), prompt);
        assertTrue(prompt.endsWith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"), prompt);
    }

    @Test
    public void formatIsToldFromTheTemplate() {
        assertEquals(ToolFormat.detect("{{ '[TOOL_CALLS]' }}"), ToolFormat.MISTRAL);
        assertEquals(ToolFormat.detect("<|start_header_id|>ipython{{ '\"parameters\": ' }}"), ToolFormat.LLAMA3);
        assertEquals(ToolFormat.detect("<tool_call>"), ToolFormat.HERMES);
    }

    @Test
    public void parsesEachFamilysCalls() {
        Set<String> offered = Set.of("get_weather");
        ToolCallParser.Parsed h = ToolCallParser.parse(ToolFormat.HERMES,
                "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>",
                offered);
        assertEquals(h.content(), "Let me check.");
        assertEquals(h.calls().size(), 1);
        assertEquals(h.calls().getFirst().arguments(), "{\"city\":\"Oslo\"}");
        assertTrue(h.calls().getFirst().id().matches("call_[0-9a-f]{24}"), h.calls().getFirst().id());
        ToolCallParser.Parsed l = ToolCallParser.parse(ToolFormat.LLAMA3,
                "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}", offered);
        assertEquals(l.calls().getFirst().arguments(), "{\"city\":\"Rome\"}");
        ToolCallParser.Parsed m = ToolCallParser.parse(ToolFormat.MISTRAL,
                "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lima\"}}, "
                        + "{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Bern\\\"}\"}]", offered);
        assertEquals(m.calls().size(), 2);
        assertEquals(m.calls().get(1).arguments(), "{\"city\": \"Bern\"}");
    }

    @Test
    public void callsOfUnofferedFunctionsOrBrokenJsonStayText() {
        String text = "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>";
        ToolCallParser.Parsed p = ToolCallParser.parse(ToolFormat.HERMES, text, Set.of("get_weather"));
        assertTrue(p.calls().isEmpty());
        assertEquals(p.content(), text);
        assertTrue(ToolCallParser.parse(ToolFormat.HERMES, "<tool_call>{\"name\": \"get_w", Set.of("get_weather"))
                .calls().isEmpty());
    }

    @Test
    public void streamHoldsBackACallAndReportsIt() {
        List<GenerationEvent> out = new ArrayList<>();
        ToolCallStream s = new ToolCallStream(ToolFormat.HERMES, Set.of("get_weather"), out::add);
        for (String piece : List.of("Sure", ", <tool", "_call>\n{\"name\": \"get_weather\", ", "\"arguments\": {}}",
                "\n</tool_call>")) {
            s.accept(new GenerationEvent.Token(piece));
        }
        GenerationStats stats = new GenerationStats(1, 0, 5, 0, 0, 0, 0, 0);
        s.accept(new GenerationEvent.Done(GenerationEvent.DoneReason.STOP, stats));
        StringBuilder text = new StringBuilder();
        out.stream().filter(e -> e instanceof GenerationEvent.Token)
                .forEach(e -> text.append(((GenerationEvent.Token) e).text()));
        assertEquals(text.toString(), "Sure, ", "only the text before the call is streamed: " + out);
        GenerationEvent.Done done = (GenerationEvent.Done) out.getLast();
        assertEquals(done.toolCalls().size(), 1, out.toString());
        assertEquals(done.toolCalls().getFirst().name(), "get_weather");
    }

    @Test
    public void streamReleasesHeldTextThatIsNoCall() {
        List<GenerationEvent> out = new ArrayList<>();
        ToolCallStream s = new ToolCallStream(ToolFormat.HERMES, Set.of("get_weather"), out::add);
        s.accept(new GenerationEvent.Token("a <tool"));
        s.accept(new GenerationEvent.Token("box> b"));
        s.accept(new GenerationEvent.Done(GenerationEvent.DoneReason.STOP, new GenerationStats(1, 0, 2, 0, 0, 0, 0, 0)));
        StringBuilder text = new StringBuilder();
        out.stream().filter(e -> e instanceof GenerationEvent.Token)
                .forEach(e -> text.append(((GenerationEvent.Token) e).text()));
        assertEquals(text.toString(), "a <toolbox> b");
        assertTrue(((GenerationEvent.Done) out.getLast()).toolCalls().isEmpty());
    }

    @Test
    public void requiredChoiceForcesASchemaValidCallFromGibberishWeights() throws Exception {
        TestModels.Recorder r = run(ask("qwen", new Tools(List.of(WEATHER, TIME), Tools.Choice.REQUIRED, ""),
                new ChatMessage("user", "weather in Paris for two days?")));
        GenerationEvent.Done done = r.awaitDone();
        assertEquals(done.toolCalls().size(), 1, "one forced call; text was: " + r.text());
        assertEquals(r.text(), "", "the call's text is not streamed as content");
        ToolCall call = done.toolCalls().getFirst();
        JsonNode args = JSON.readTree(call.arguments());
        if (call.name().equals("get_weather")) {
            assertTrue(Set.of("Oslo", "Rome").contains(args.path("city").asText()), call.arguments());
            assertTrue(args.path("days").isInt() && args.path("days").asInt() >= 1 && args.path("days").asInt() <= 7,
                    call.arguments());
        } else {
            assertEquals(call.name(), "get_time");
            assertTrue(Set.of("UTC", "CET").contains(args.path("zone").asText()), call.arguments());
        }
    }

    @Test
    public void namedChoiceForcesThatFunction() throws Exception {
        for (String model : List.of("qwen", "plain")) {
            TestModels.Recorder r = run(ask(model, new Tools(List.of(WEATHER, TIME), Tools.Choice.FUNCTION, "get_time"),
                    new ChatMessage("user", "time?")));
            GenerationEvent.Done done = r.awaitDone();
            assertEquals(done.toolCalls().size(), 1, model + ": text was " + r.text());
            assertEquals(done.toolCalls().getFirst().name(), "get_time");
            assertTrue(Set.of("UTC", "CET").contains(JSON.readTree(done.toolCalls().getFirst().arguments())
                    .path("zone").asText()), done.toolCalls().getFirst().arguments());
        }
    }

    @Test
    public void toolResultRoundTripRunsAndNoneParsesNoCall() {
        TestModels.Recorder r = run(ask("qwen", new Tools(List.of(WEATHER), Tools.Choice.NONE, ""),
                new ChatMessage("user", "weather?"),
                new ChatMessage("assistant", "", List.of(new ToolCall("call_1", "get_weather",
                        "{\"city\":\"Paris\",\"days\":1}")), ""),
                new ChatMessage("tool", "sunny, 21 C", List.of(), "call_1")));
        GenerationEvent.Done done = r.awaitDone();
        assertTrue(done.toolCalls().isEmpty(), "tool_choice none parses no call");
        assertTrue(done.stats().promptTokens() > 0);
        String prompt = engine.render("qwen", List.of(new ChatMessage("tool", "sunny", List.of(), "c")));
        assertFalse(prompt.isEmpty());
    }

    @Test
    public void badToolChoiceAndSchemaAreRefused() {
        assertThrows(InvalidRequestException.class, () -> new Tools(List.of(WEATHER), Tools.Choice.FUNCTION, "nope"));
        assertThrows(InvalidRequestException.class, () -> new Tools(List.of(), Tools.Choice.REQUIRED, ""));
        Tools bad = new Tools(List.of(new ToolSpec("f", "", "{\"type\":\"nonsense\"}")), Tools.Choice.REQUIRED, "");
        assertThrows(InvalidRequestException.class, () -> engine.submit(ask("qwen", bad, new ChatMessage("user", "x")),
                e -> { }));
    }
}

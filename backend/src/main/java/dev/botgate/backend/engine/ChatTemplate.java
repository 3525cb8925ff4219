package dev.botgate.backend.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's Jinja chat template rendered in Java (Jinjava), with what java-llama.cpp's {@code applyTemplate} cannot
 * pass: {@code tools}, assistant {@code tool_calls} and {@code tool} results. Variables follow Hugging Face's
 * {@code apply_chat_template}: {@code messages}, {@code tools}, {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token} and the {@code raise_exception} function.
 *
 * <p>A model without a template, or whose template fails on the request, gets {@link #FALLBACK}: ChatML with
 * Hermes-style tool instructions (Qwen2.5's layout). A template that does not mention {@code tools} would drop them
 * silently, so for such a template the tool instructions go into the system message and tool turns become text.
 */
final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    /** ChatML with Hermes tool calls, as Qwen2.5 writes them. */
    static final String FALLBACK = """
            {%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0].role == 'system' %}{{- messages[0].content \
            + '\\n\\n' }}{%- endif %}{{- TOOL_INTRO }}{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}\
            {%- endfor %}{{- TOOL_OUTRO }}{{- '<|im_end|>\\n' }}\
            {%- elif messages[0].role == 'system' %}{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}\
            {%- endif %}\
            {%- for message in messages %}\
            {%- if message.role == 'user' or (message.role == 'system' and not loop.first) \
            or (message.role == 'assistant' and not message.tool_calls) %}\
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
            {%- elif message.role == 'assistant' %}{{- '<|im_start|>assistant' }}\
            {%- if message.content %}{{- '\\n' + message.content }}{%- endif %}\
            {%- for tc in message.tool_calls %}{{- '\\n<tool_call>\\n{"name": "' + tc.function.name \
            + '", "arguments": ' }}{{- tc.function.arguments | tojson }}{{- '}\\n</tool_call>' }}{%- endfor %}\
            {{- '<|im_end|>\\n' }}\
            {%- elif message.role == 'tool' %}\
            {%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}\
            {{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}\
            {%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}\
            {%- endif %}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}""";

    private static final String TOOL_INTRO = "# Tools\n\nYou may call one or more functions to assist with the user "
            + "query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private static final String TOOL_OUTRO = "\n</tools>\n\nFor each function call, return a json object with function "
            + "name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
            + "\"arguments\": <args-json-object>}\n</tool_call>";

    private final String source;
    private final String bos;
    private final String eos;
    private final ToolFormat format;
    private final boolean knowsTools;
    private final Jinjava jinja;

    /**
     * @param source the template text; empty when the model has none (then {@link #FALLBACK} is used)
     * @param bos    the model's beginning-of-sequence token text (empty when unknown)
     * @param eos    its end-of-sequence token text (empty when unknown)
     */
    ChatTemplate(String source, String bos, String eos) {
        this.source = source.isBlank() ? FALLBACK : source;
        this.bos = bos;
        this.eos = eos;
        this.knowsTools = this.source.contains("tools");
        this.format = knowsTools ? ToolFormat.detect(this.source) : ToolFormat.HERMES;
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withFailOnUnknownTokens(false).build());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /** The format in which this model writes its calls. */
    ToolFormat format() {
        return format;
    }

    /** Called by templates that refuse a chat ({@code raise_exception('…')}). */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    /** A template refused the chat. */
    static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message);
        }
    }

    /**
     * The prompt for {@code messages} and {@code tools}, ending with the assistant's turn opening.
     *
     * @throws InvalidRequestException when neither the model's template nor the fallback can render the chat
     */
    String render(List<ChatMessage> messages, List<ToolSpec> tools) {
        List<ChatMessage> shown = messages;
        if (!knowsTools) {
            shown = asText(messages, tools);
        }
        String out = tryRender(source, shown, knowsTools ? tools : List.of());
        if (out == null && source != FALLBACK) {
            out = tryRender(FALLBACK, messages, tools);
        }
        if (out == null) {
            throw new InvalidRequestException("the chat could not be rendered with the model's template");
        }
        return out;
    }

    private String tryRender(String template, List<ChatMessage> messages, List<ToolSpec> tools) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages.stream().map(ChatTemplate::message).toList());
        if (!tools.isEmpty()) {
            vars.put("tools", tools.stream().map(ChatTemplate::tool).toList());
        }
        vars.put("add_generation_prompt", true);
        vars.put("bos_token", bos);
        vars.put("eos_token", eos);
        vars.put("TOOL_INTRO", TOOL_INTRO);
        vars.put("TOOL_OUTRO", TOOL_OUTRO);
        try {
            RenderResult result = jinja.renderForResult(template, vars);
            boolean fatal = result.getErrors().stream()
                    .anyMatch(e -> e.getSeverity() == TemplateError.ErrorType.FATAL);
            return fatal ? null : result.getOutput();
        } catch (RuntimeException e) { // TemplateRefusal or an interpreter error on an unusual template
            return null;
        }
    }

    /**
     * For a template that knows nothing of tools: the tool instructions in the system message, calls and results as
     * the Hermes text the instructions describe.
     */
    static List<ChatMessage> asText(List<ChatMessage> messages, List<ToolSpec> tools) {
        List<ChatMessage> out = new ArrayList<>();
        if (!tools.isEmpty()) {
            StringBuilder sys = new StringBuilder();
            if (!messages.isEmpty() && messages.getFirst().role().equals("system")) {
                sys.append(messages.getFirst().content()).append("\n\n");
            }
            sys.append(TOOL_INTRO);
            for (ToolSpec t : tools) {
                sys.append('\n').append(toJson(tool(t)));
            }
            sys.append(TOOL_OUTRO);
            out.add(new ChatMessage("system", sys.toString()));
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (i == 0 && m.role().equals("system") && !tools.isEmpty()) {
                continue;
            }
            if (m.role().equals("tool")) {
                out.add(new ChatMessage("user", "<tool_response>\n" + m.content() + "\n</tool_response>"));
            } else if (!m.toolCalls().isEmpty()) {
                StringBuilder sb = new StringBuilder(m.content());
                for (ToolCall c : m.toolCalls()) {
                    sb.append(sb.isEmpty() ? "" : "\n").append("<tool_call>\n{\"name\": \"").append(c.name())
                            .append("\", \"arguments\": ").append(c.arguments()).append("}\n</tool_call>");
                }
                out.add(new ChatMessage(m.role(), sb.toString()));
            } else {
                out.add(m);
            }
        }
        return out;
    }

    private static Map<String, Object> message(ChatMessage m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", m.role());
        out.put("content", m.content());
        if (!m.toolCalls().isEmpty()) {
            List<Map<String, Object>> calls = new ArrayList<>();
            for (ToolCall c : m.toolCalls()) {
                Map<String, Object> fn = new LinkedHashMap<>();
                fn.put("name", c.name());
                fn.put("arguments", parseObject(c.arguments()));
                calls.add(Map.of("id", c.id(), "type", "function", "function", fn));
            }
            out.put("tool_calls", calls);
        }
        if (!m.toolCallId().isEmpty()) {
            out.put("tool_call_id", m.toolCallId());
        }
        return out;
    }

    private static Map<String, Object> tool(ToolSpec t) {
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", t.name());
        if (!t.description().isEmpty()) {
            fn.put("description", t.description());
        }
        fn.put("parameters", parseObject(t.parameters()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "function");
        out.put("function", fn);
        return out;
    }

    /** A JSON object as a map (templates index into arguments and schemas); empty when the text is no object. */
    static Map<String, Object> parseObject(String json) {
        try {
            Map<String, Object> m = JSON.readValue(json, MAP);
            return m == null ? Map.of() : m;
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

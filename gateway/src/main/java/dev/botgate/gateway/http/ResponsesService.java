package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.ToolCall;
import dev.botgate.backend.engine.Tools;
import dev.botgate.gateway.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * OpenAI's Responses API for text in and out, with function tools and its streaming events ({@code response.created},
 * {@code response.output_text.delta}, …, {@code response.completed}). Stateless: {@code previous_response_id} is
 * refused, since nothing is stored; send the conversation as {@code input} items instead.
 *
 * <pre>
 * curl localhost:8080/v1/responses -H 'Content-Type: application/json' \
 *      -d '{"model":"qwen2.5:0.5b","input":"hi","max_output_tokens":32}'
 * </pre>
 */
public final class ResponsesService implements HttpService {
    private final Engine engine;
    private final Metrics metrics;

    public ResponsesService(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/responses", this::respond);
    }

    private void respond(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        if (model.startsWith("bot/")) {
            throw new BadRequestException("bots answer chats: use /v1/chat/completions with model '" + model + "'");
        }
        JsonNode previous = body.get("previous_response_id");
        if (previous != null && !previous.isNull()) {
            throw new BadRequestException("previous_response_id is not supported: responses are not stored; send the "
                    + "earlier turns in 'input'");
        }
        boolean stream = JsonFields.bool(body, "stream", false);
        Tools tools = ToolRequests.read(body);
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Chat(messages(body)),
                RequestOptions.openAi(body), tools);
        metrics.inc("botgate_requests_total", "route=\"/v1/responses\"", 1);
        String id = "resp_" + UUID.randomUUID().toString().replace("-", "");
        String messageId = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        StringBuilder all = new StringBuilder();
        try (NdjsonResponse out = new NdjsonResponse(res, "text/event-stream")) {
            out.batched();
            int[] seq = {0};
            GenerationRun.run(engine, metrics, "/v1/responses", request, new GenerationRun.Writer() {
                private boolean opened;

                private void send(String type, Map<String, Object> event) throws IOException {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("type", type);
                    e.put("sequence_number", seq[0]++);
                    e.putAll(event);
                    out.raw(("event: " + type + "\n").getBytes(StandardCharsets.UTF_8));
                    out.event(e);
                }

                private void open() throws IOException {
                    if (opened) {
                        return;
                    }
                    opened = true;
                    Map<String, Object> r = response(id, created, model, "in_progress", List.of(), null, null);
                    send("response.created", Map.of("response", r));
                    send("response.in_progress", Map.of("response", r));
                }

                private boolean textStarted;

                private void startText() throws IOException {
                    if (!textStarted) {
                        textStarted = true;
                        send("response.output_item.added", Map.of("output_index", 0,
                                "item", message(messageId, "in_progress", "")));
                        send("response.content_part.added", Map.of("item_id", messageId, "output_index", 0,
                                "content_index", 0, "part", text("")));
                    }
                }

                @Override
                public void token(String text) throws IOException {
                    all.append(text);
                    if (stream) {
                        open();
                        startText();
                        send("response.output_text.delta", Map.of("item_id", messageId, "output_index", 0,
                                "content_index", 0, "delta", text, "logprobs", List.of()));
                    }
                }

                @Override
                public void done(GenerationEvent.Done done) throws IOException {
                    List<Map<String, Object>> output = new ArrayList<>();
                    if (!all.isEmpty() || done.toolCalls().isEmpty()) {
                        output.add(message(messageId, "completed", all.toString()));
                    }
                    for (ToolCall c : done.toolCalls()) {
                        output.add(functionCall(c, "completed"));
                    }
                    Map<String, Object> usage = new LinkedHashMap<>();
                    usage.put("input_tokens", done.stats().promptTokens());
                    usage.put("input_tokens_details", Map.of("cached_tokens", 0));
                    usage.put("output_tokens", done.stats().completionTokens());
                    usage.put("output_tokens_details", Map.of("reasoning_tokens", 0));
                    usage.put("total_tokens", done.stats().promptTokens() + done.stats().completionTokens());
                    boolean cut = done.reason() == GenerationEvent.DoneReason.LENGTH && done.toolCalls().isEmpty();
                    Map<String, Object> r = response(id, created, model, cut ? "incomplete" : "completed", output,
                            usage, cut ? Map.of("reason", "max_output_tokens") : null);
                    if (!stream) {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(Json.bytes(r));
                        return;
                    }
                    open();
                    int index = 0;
                    if (!all.isEmpty() || done.toolCalls().isEmpty()) {
                        startText();
                        send("response.output_text.done", Map.of("item_id", messageId, "output_index", 0,
                                "content_index", 0, "text", all.toString(), "logprobs", List.of()));
                        send("response.content_part.done", Map.of("item_id", messageId, "output_index", 0,
                                "content_index", 0, "part", text(all.toString())));
                        send("response.output_item.done", Map.of("output_index", 0,
                                "item", message(messageId, "completed", all.toString())));
                        index++;
                    }
                    for (ToolCall c : done.toolCalls()) {
                        Map<String, Object> item = functionCall(c, "in_progress");
                        send("response.output_item.added", Map.of("output_index", index, "item", item));
                        send("response.function_call_arguments.delta", Map.of("item_id", item.get("id"),
                                "output_index", index, "delta", c.arguments()));
                        send("response.function_call_arguments.done", Map.of("item_id", item.get("id"),
                                "output_index", index, "arguments", c.arguments()));
                        Map<String, Object> finished = new LinkedHashMap<>(item);
                        finished.put("status", "completed");
                        send("response.output_item.done", Map.of("output_index", index, "item", finished));
                        index++;
                    }
                    send(cut ? "response.incomplete" : "response.completed", Map.of("response", r));
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void failed(String message) throws IOException {
                    if (out.started()) {
                        send("error", Map.of("code", "server_error", "message", message));
                    } else {
                        HttpErrors.send(req, res, 500, message);
                    }
                }
            });
        }
    }

    /** {@code instructions} as the system turn, then {@code input}: a string, or message and function items. */
    static List<ChatMessage> messages(JsonNode body) {
        List<ChatMessage> out = new ArrayList<>();
        String instructions = JsonFields.text(body, "instructions", "");
        if (!instructions.isEmpty()) {
            out.add(new ChatMessage("system", instructions));
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw new BadRequestException("field 'input' is required: a string or an array of input items");
        }
        if (input.isTextual()) {
            out.add(new ChatMessage("user", input.asText()));
            return out;
        }
        if (!input.isArray()) {
            throw new BadRequestException("field 'input' must be a string or an array of input items");
        }
        int i = 0;
        for (JsonNode item : input) {
            String type = item.path("type").asText("message");
            switch (type) {
                case "message" -> {
                    // Reuse the chat reader for roles, text parts and the text-only refusal of images.
                    var wrapper = Json.MAPPER.createObjectNode();
                    wrapper.put("model", body.path("model").asText(""));
                    wrapper.putArray("messages").add(item);
                    out.addAll(ChatMessages.read(wrapper));
                }
                case "function_call" -> {
                    ToolCall call = new ToolCall(item.path("call_id").asText("call_" + i),
                            JsonFields.requiredText(item, "name"), item.path("arguments").asText("{}"));
                    if (!out.isEmpty() && out.getLast().role().equals("assistant")
                            && !out.getLast().toolCalls().isEmpty()) {
                        ChatMessage last = out.removeLast();
                        List<ToolCall> calls = new ArrayList<>(last.toolCalls());
                        calls.add(call);
                        out.add(new ChatMessage("assistant", last.content(), calls, ""));
                    } else {
                        out.add(new ChatMessage("assistant", "", List.of(call), ""));
                    }
                }
                case "function_call_output" -> {
                    JsonNode output = item.get("output");
                    String text = output == null || output.isNull() ? "" : output.isTextual() ? output.asText()
                            : output.toString();
                    out.add(new ChatMessage("tool", text, List.of(), item.path("call_id").asText("")));
                }
                default -> throw new BadRequestException("input[" + i + "].type '" + type + "' is not supported; "
                        + "send message, function_call or function_call_output items");
            }
            i++;
        }
        return out;
    }

    private static Map<String, Object> response(String id, long created, String model, String status,
                                                 List<Map<String, Object>> output, Map<String, Object> usage,
                                                 Map<String, Object> incomplete) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", created);
        r.put("status", status);
        r.put("model", model);
        r.put("output", output);
        r.put("parallel_tool_calls", false);
        r.put("tools", List.of());
        r.put("error", null);
        r.put("incomplete_details", incomplete);
        if (usage != null) {
            r.put("usage", usage);
        }
        return r;
    }

    private static Map<String, Object> message(String id, String status, String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "message");
        m.put("id", id);
        m.put("status", status);
        m.put("role", "assistant");
        m.put("content", status.equals("in_progress") ? List.of() : List.of(text(text)));
        return m;
    }

    private static Map<String, Object> text(String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "output_text");
        m.put("text", text);
        m.put("annotations", List.of());
        return m;
    }

    private static Map<String, Object> functionCall(ToolCall c, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "function_call");
        m.put("id", "fc_" + c.id().substring(c.id().indexOf('_') + 1));
        m.put("call_id", c.id());
        m.put("name", c.name());
        m.put("arguments", c.arguments());
        m.put("status", status);
        return m;
    }
}

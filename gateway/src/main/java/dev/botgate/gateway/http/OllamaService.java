package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.Tools;
import dev.botgate.gateway.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama-compatible generation routes, same paths, fields and NDJSON streaming as Ollama so its clients work
 * unchanged. Model management routes live in {@link ModelRoutes}.
 *
 * <p>Ollama's load and unload idioms answer at once: empty {@code messages} or {@code prompt} load the model (one
 * token is generated to load it) and end with {@code done_reason: "load"}; {@code keep_alive: 0} ends with
 * {@code "unload"} without generating (models stay resident here: see {@code engine.max-loaded-models}).
 * {@code think: true} moves a leading {@code <think>…</think>} into {@code thinking}; {@code /api/generate} returns
 * a {@code context} that continues the exchange when sent back.
 *
 * <pre>
 * curl localhost:8080/api/chat -d '{"model":"qwen2.5:0.5b","messages":[{"role":"user","content":"hi"}]}'
 * curl localhost:8080/api/generate -d '{"model":"qwen2.5:0.5b","prompt":"Why is the sky blue?","stream":false}'
 * </pre>
 */
public final class OllamaService implements HttpService {
    private final Engine engine;
    private final Metrics metrics;

    public OllamaService(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/chat", this::chat)
             .post("/generate", this::generate);
    }

    /** The two line shapes of a route: a piece of the answer, and the last line. */
    private interface Lines {
        Object token(String content, String thinking);

        Object done(String content, String thinking, GenerationEvent.Done done);

        Object lifecycle(String reason);
    }

    private void chat(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model", "name");
        boolean stream = JsonFields.bool(body, "stream", true);
        GenerationOptions options = RequestOptions.ollama(body);
        List<ChatMessage> messages = ChatMessages.read(body);
        Tools tools = ToolRequests.read(body);
        metrics.inc("botgate_requests_total", "route=\"/api/chat\"", 1);
        Lines lines = new Lines() {
            public Object token(String content, String thinking) {
                return OllamaWire.ChatLine.token(model, content, thinking);
            }

            public Object done(String content, String thinking, GenerationEvent.Done done) {
                return OllamaWire.ChatLine.done(model, content, thinking, done);
            }

            public Object lifecycle(String reason) {
                return OllamaWire.ChatLine.lifecycle(model, reason);
            }
        };
        if (lifecycle(req, res, body, model, messages.isEmpty(), lines)) {
            return;
        }
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Chat(messages), options, tools);
        respond(req, res, "/api/chat", request, stream, think(body), lines);
    }

    private void generate(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model", "name");
        boolean stream = JsonFields.bool(body, "stream", true);
        String prompt = JsonFields.text(body, "prompt", "");
        String system = JsonFields.text(body, "system", "");
        boolean raw = JsonFields.bool(body, "raw", false);
        JsonNode images = body.get("images");
        if (images != null && !images.isNull() && !(images.isArray() && images.isEmpty())) {
            throw ChatMessages.textOnly(model, "images");
        }
        GenerationOptions options = RequestOptions.ollama(body);
        List<ChatMessage> earlier = OllamaContext.read(body);
        metrics.inc("botgate_requests_total", "route=\"/api/generate\"", 1);
        StringBuilder answer = new StringBuilder();
        Lines lines = new Lines() {
            public Object token(String content, String thinking) {
                answer.append(content);
                return OllamaWire.GenerateLine.token(model, content, thinking);
            }

            public Object done(String content, String thinking, GenerationEvent.Done done) {
                answer.append(content);
                return OllamaWire.GenerateLine.done(model, content, thinking,
                        raw ? null : OllamaContext.write(earlier, prompt, answer.toString()), done);
            }

            public Object lifecycle(String reason) {
                return OllamaWire.GenerateLine.lifecycle(model, reason);
            }
        };
        if (lifecycle(req, res, body, model, prompt.isEmpty(), lines)) {
            return;
        }
        GenerationRequest.Prompt p;
        if (raw) {
            p = new GenerationRequest.Raw(prompt);
        } else {
            List<ChatMessage> messages = new ArrayList<>();
            if (!system.isEmpty()) {
                messages.add(new ChatMessage("system", system));
            }
            messages.addAll(earlier);
            messages.add(new ChatMessage("user", prompt));
            p = new GenerationRequest.Chat(messages);
        }
        GenerationRequest request = new GenerationRequest(model, p, options);
        respond(req, res, "/api/generate", request, stream, think(body), lines);
    }

    private static boolean think(JsonNode body) {
        JsonNode t = body.get("think");
        return t != null && (t.asBoolean(false) || (t.isTextual() && !t.asText().equals("false")));
    }

    /**
     * Answers Ollama's load and unload idioms at once; false when the request asks for a real generation.
     * {@code keep_alive: 0} (or "0", "0s") unloads; an empty prompt loads.
     */
    private boolean lifecycle(ServerRequest req, ServerResponse res, JsonNode body, String model, boolean empty,
                              Lines lines) {
        JsonNode keep = body.get("keep_alive");
        boolean unload = keep != null && !keep.isNull()
                && (keep.isNumber() ? keep.asDouble() == 0 : keep.asText().matches("0+[smh]?"));
        if (unload && empty) {
            // Models stay resident (the bundled llama.cpp frees no memory on unload): nothing to do but answer.
            Json.send(res, 200, lines.lifecycle("unload"));
            return true;
        }
        if (!empty) {
            return false;
        }
        // Load: one token on the chat template makes the engine load the model (and refuse an unknown one).
        GenerationRequest load = new GenerationRequest(model, new GenerationRequest.Chat(List.of(
                new ChatMessage("user", "."))), new GenerationOptions(null, null, null, null, null, null, 1, null, null,
                null));
        EventQueue events = new EventQueue();
        engine.submit(load, events);
        GenerationEvent e;
        do {
            e = events.take();
        } while (e instanceof GenerationEvent.Token);
        if (e instanceof GenerationEvent.Failed f) {
            HttpErrors.send(req, res, 500, f.message());
            return true;
        }
        Json.send(res, 200, lines.lifecycle("load"));
        return true;
    }

    /**
     * Runs a generation and answers in Ollama's way: a line per token then a final line with the timings, or one
     * object with the whole text when {@code stream} is false.
     */
    private void respond(ServerRequest req, ServerResponse res, String route, GenerationRequest request, boolean stream,
                         boolean think, Lines lines) throws IOException {
        StringBuilder all = new StringBuilder();
        StringBuilder thoughts = new StringBuilder();
        ThinkSplitter splitter = think ? new ThinkSplitter() : null;
        try (NdjsonResponse out = new NdjsonResponse(res, "application/x-ndjson")) {
            out.batched();
            GenerationRun.run(engine, metrics, route, request, new GenerationRun.Writer() {
                @Override
                public void token(String text) throws IOException {
                    String content = text;
                    String thinking = null;
                    if (splitter != null) {
                        ThinkSplitter.Split s = splitter.feed(text);
                        content = s.content();
                        thinking = s.thinking().isEmpty() ? null : s.thinking();
                        if (content.isEmpty() && thinking == null) {
                            return;
                        }
                    }
                    if (stream) {
                        out.line(lines.token(content, thinking));
                    } else {
                        all.append(content);
                        thoughts.append(thinking == null ? "" : thinking);
                    }
                }

                @Override
                public void done(GenerationEvent.Done done) throws IOException {
                    String content = "";
                    String thinking = "";
                    if (splitter != null) {
                        ThinkSplitter.Split s = splitter.finish();
                        content = s.content();
                        thinking = s.thinking();
                    }
                    if (stream) {
                        out.line(lines.done(content, thinking.isEmpty() ? null : thinking, done));
                    } else {
                        thoughts.append(thinking);
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(Json.bytes(lines.done(all + content,
                                thoughts.isEmpty() ? null : thoughts.toString(), done)));
                    }
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void failed(String message) throws IOException {
                    fail(req, res, out, message);
                }
            });
        }
    }

    /** Before the stream started: a real 500; after: a final {"error": ...} line, as Ollama does. */
    static void fail(ServerRequest req, ServerResponse res, NdjsonResponse out, String message) throws IOException {
        if (out.started()) {
            out.line(java.util.Map.of("error", message));
        } else {
            HttpErrors.send(req, res, 500, message);
        }
    }
}

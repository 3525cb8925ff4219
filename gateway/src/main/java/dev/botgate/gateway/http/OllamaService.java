package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.gateway.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Ollama-compatible generation routes, same paths, fields and NDJSON streaming as Ollama so its clients work
 * unchanged. Model management routes live in {@link ModelRoutes}.
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

    private void chat(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model", "name");
        boolean stream = JsonFields.bool(body, "stream", true);
        GenerationOptions options = RequestOptions.ollama(body);
        List<ChatMessage> messages = ChatMessages.read(body);
        metrics.inc("botgate_requests_total", "route=\"/api/chat\"", 1);
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Chat(messages), options,
                ToolRequests.read(body));
        respond(req, res, "/api/chat", request, stream, t -> OllamaWire.ChatLine.token(model, t),
                (all, done) -> OllamaWire.ChatLine.done(model, all, done));
    }

    private void generate(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model", "name");
        boolean stream = JsonFields.bool(body, "stream", true);
        String prompt = JsonFields.text(body, "prompt", "");
        String system = JsonFields.text(body, "system", "");
        boolean raw = JsonFields.bool(body, "raw", false);
        GenerationOptions options = RequestOptions.ollama(body);
        metrics.inc("botgate_requests_total", "route=\"/api/generate\"", 1);
        GenerationRequest.Prompt p;
        if (raw) {
            p = new GenerationRequest.Raw(prompt);
        } else {
            List<ChatMessage> messages = new ArrayList<>();
            if (!system.isEmpty()) {
                messages.add(new ChatMessage("system", system));
            }
            messages.add(new ChatMessage("user", prompt));
            p = new GenerationRequest.Chat(messages);
        }
        GenerationRequest request = new GenerationRequest(model, p, options);
        respond(req, res, "/api/generate", request, stream, t -> OllamaWire.GenerateLine.token(model, t),
                (all, done) -> OllamaWire.GenerateLine.done(model, all, done));
    }

    /**
     * Runs a generation and answers in Ollama's way: a line per token then a final line with the timings, or one
     * object with the whole text when {@code stream} is false.
     */
    private void respond(ServerRequest req, ServerResponse res, String route, GenerationRequest request, boolean stream,
                         Function<String, Object> tokenLine, BiFunction<String, GenerationEvent.Done, Object> doneLine)
            throws IOException {
        StringBuilder all = new StringBuilder();
        try (NdjsonResponse out = new NdjsonResponse(res, "application/x-ndjson")) {
            out.batched();
            GenerationRun.run(engine, metrics, route, request, new GenerationRun.Writer() {
                @Override
                public void token(String text) throws IOException {
                    if (stream) {
                        out.line(tokenLine.apply(text));
                    } else {
                        all.append(text);
                    }
                }

                @Override
                public void done(GenerationEvent.Done done) throws IOException {
                    if (stream) {
                        out.line(doneLine.apply("", done));
                    } else {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(Json.bytes(doneLine.apply(all.toString(), done)));
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

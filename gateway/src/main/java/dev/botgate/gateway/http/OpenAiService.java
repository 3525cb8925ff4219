package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.gateway.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * OpenAI-compatible chat completions, so the official SDKs and LangChain4j's OpenAI client work unchanged
 * (base URL {@code http://host:8080/v1}).
 *
 * <pre>
 * curl localhost:8080/v1/chat/completions -H 'Content-Type: application/json' \
 *      -d '{"model":"qwen2.5:0.5b","messages":[{"role":"user","content":"hi"}],"stream":true}'
 * </pre>
 */
public final class OpenAiService implements HttpService {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes();
    private final Engine engine;
    private final Metrics metrics;

    public OpenAiService(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/chat/completions", this::chatCompletions);
    }

    private void chatCompletions(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        boolean stream = JsonFields.bool(body, "stream", false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Chat(ChatMessages.read(body)),
                RequestOptions.openAi(body));
        metrics.inc("botgate_requests_total", "route=\"/v1/chat/completions\"", 1);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        StringBuilder all = new StringBuilder();
        try (NdjsonResponse out = new NdjsonResponse(res, "text/event-stream")) {
            GenerationRun.run(engine, metrics, "/v1/chat/completions", request, new GenerationRun.Writer() {
                private boolean first = true;

                @Override
                public void token(String text) throws IOException {
                    if (!stream) {
                        all.append(text);
                        return;
                    }
                    OpenAiWire.Delta delta = new OpenAiWire.Delta(first ? "assistant" : null, text);
                    first = false;
                    out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model,
                            List.of(new OpenAiWire.ChunkChoice(0, delta, null)), null, null));
                }

                @Override
                public void done(GenerationEvent.Done done) throws IOException {
                    OpenAiWire.Usage usage = new OpenAiWire.Usage(done.stats().promptTokens(),
                            done.stats().completionTokens(),
                            done.stats().promptTokens() + done.stats().completionTokens());
                    String finish = done.reason() == GenerationEvent.DoneReason.LENGTH ? "length" : "stop";
                    if (stream) {
                        out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model,
                                List.of(new OpenAiWire.ChunkChoice(0, new OpenAiWire.Delta(null, null), finish)),
                                null, null));
                        if (includeUsage) {
                            out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model, List.of(),
                                    usage, null));
                        }
                        out.raw(DONE);
                    } else {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(Json.bytes(new OpenAiWire.Completion(id, "chat.completion", created, model,
                                List.of(new OpenAiWire.Choice(0, new OpenAiWire.Message("assistant", all.toString()),
                                        finish)), usage, null)));
                    }
                }

                @Override
                public void failed(String message) throws IOException {
                    if (out.started()) {
                        out.event(Map.of("error", Map.of("message", message, "type", "server_error")));
                        out.raw(DONE);
                    } else {
                        HttpErrors.send(req, res, 500, message);
                    }
                }
            });
        }
    }
}

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
import java.util.function.Function;
import java.util.function.Supplier;
import dev.botgate.knowledge.index.Embedder;

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
    /** The end of an OpenAI SSE stream. */
    static final byte[] DONE = "data: [DONE]\n\n".getBytes();
    private final Engine engine;
    private final Metrics metrics;
    private final Supplier<List<String>> modelNames;
    private final Embedder embedder;
    private final BotChat bots;
    private final Function<String, String> ownedBy;

    /**
     * @param modelNames the chat models and bots ({@code bot/ID}) to list
     * @param bots       answers {@code "model": "bot/ID"} through the bot's pipeline
     */
    public OpenAiService(Engine engine, Metrics metrics, Supplier<List<String>> modelNames, Embedder embedder,
                         BotChat bots) {
        this(engine, metrics, modelNames, embedder, bots, name -> name.startsWith("bot/") ? "botgate" : "library");
    }

    /** @param ownedBy what {@code owned_by} says for a listed name (the engine of a remote model) */
    public OpenAiService(Engine engine, Metrics metrics, Supplier<List<String>> modelNames, Embedder embedder,
                         BotChat bots, Function<String, String> ownedBy) {
        this.ownedBy = ownedBy;
        this.engine = engine;
        this.metrics = metrics;
        this.modelNames = modelNames;
        this.embedder = embedder;
        this.bots = bots;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/chat/completions", this::chatCompletions)
             .get("/models", this::models)
             .get("/models/{+id}", this::model)
             .post("/embeddings", this::embeddings);
    }

    private void models(ServerRequest req, ServerResponse res) {
        long now = Instant.now().getEpochSecond();
        List<OpenAiWire.Model> data = new java.util.ArrayList<>();
        for (String name : modelNames.get()) {
            data.add(new OpenAiWire.Model(name, "model", now, ownedBy.apply(name)));
        }
        data.add(new OpenAiWire.Model(ModelRoutes.EMBEDDING_MODEL, "model", now, "library"));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(new OpenAiWire.Models("list", data)));
    }

    /** {@code GET /v1/models/{id}}; ids with a slash ({@code bot/helper}) arrive percent-encoded or whole. */
    private void model(ServerRequest req, ServerResponse res) {
        String id = java.net.URLDecoder.decode(req.path().pathParameters().get("id"),
                java.nio.charset.StandardCharsets.UTF_8);
        boolean known = id.equals(ModelRoutes.EMBEDDING_MODEL) || modelNames.get().stream()
                .anyMatch(n -> n.equals(id) || n.equals(id + ":latest"));
        if (!known) {
            throw new BadRequestException(404, "model '" + id + "' not found; GET /v1/models lists them");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(new OpenAiWire.Model(id, "model", Instant.now().getEpochSecond(),
                id.startsWith("bot/") ? "botgate" : "library")));
    }

    private void embeddings(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        ModelRoutes.checkEmbeddingModel(model);
        List<String> input = ModelRoutes.embeddingInputs(body);
        Integer dimensions = JsonFields.integer(body, "dimensions", 1, 1_000_000);
        if (dimensions != null && dimensions != embedder.dimension()) {
            throw new BadRequestException("model '" + model + "' returns " + embedder.dimension()
                    + "-dimensional vectors and cannot shorten them; leave 'dimensions' out or set it to "
                    + embedder.dimension());
        }
        String format = JsonFields.text(body, "encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw new BadRequestException("encoding_format must be float or base64, got '" + format + "'");
        }
        float[][] vectors = embedder.embed(input);
        List<OpenAiWire.Embedding> data = new java.util.ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < vectors.length; i++) {
            Object v = vectors[i];
            if (format.equals("base64")) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(vectors[i].length * 4)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float f : vectors[i]) {
                    buf.putFloat(f);
                }
                v = java.util.Base64.getEncoder().encodeToString(buf.array());
            }
            data.add(new OpenAiWire.Embedding("embedding", i, v));
            tokens += dev.botgate.gateway.pipeline.ConversationContext.estimateTokens(input.get(i));
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(new OpenAiWire.Embeddings("list", data, model, new OpenAiWire.Usage(tokens, 0, tokens))));
    }

    private void chatCompletions(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        boolean stream = JsonFields.bool(body, "stream", false);
        if (model.startsWith("bot/")) {
            bots.chat(req, res, body, model.substring(4), stream);
            return;
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Chat(ChatMessages.read(body)),
                RequestOptions.openAi(body), ToolRequests.read(body));
        metrics.inc("botgate_requests_total", "route=\"/v1/chat/completions\"", 1);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        StringBuilder all = new StringBuilder();
        try (NdjsonResponse out = new NdjsonResponse(res, "text/event-stream")) {
            out.batched();
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
                    boolean calls = !done.toolCalls().isEmpty();
                    String finish = calls ? "tool_calls"
                            : done.reason() == GenerationEvent.DoneReason.LENGTH ? "length" : "stop";
                    if (stream) {
                        if (calls) {
                            // Each call whole in one delta: clients join argument fragments, and one fragment is valid.
                            out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model,
                                    List.of(new OpenAiWire.ChunkChoice(0, new OpenAiWire.Delta(first ? "assistant"
                                            : null, null, OpenAiWire.toolCalls(done.toolCalls(), true)), null)),
                                    null, null));
                        }
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
                                List.of(new OpenAiWire.Choice(0, calls
                                        ? new OpenAiWire.Message("assistant", all.isEmpty() ? null : all.toString(),
                                                OpenAiWire.toolCalls(done.toolCalls(), false))
                                        : new OpenAiWire.Message("assistant", all.toString()), finish)), usage,
                                null)));
                    }
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void failed(String message) throws IOException {
                    OpenAiService.streamFailed(req, res, out, message);
                }
            });
        }
    }

    /**
     * A generation failed on an OpenAI stream (chat or legacy completions): a real status while nothing was sent,
     * else a final error event and {@code [DONE]} (STYLE R7).
     */
    static void streamFailed(ServerRequest req, ServerResponse res, NdjsonResponse out, String message)
            throws IOException {
        if (out.started()) {
            out.event(Map.of("error", Map.of("message", message, "type", "server_error")));
            out.raw(DONE);
        } else {
            HttpErrors.send(req, res, 500, message);
        }
    }
}

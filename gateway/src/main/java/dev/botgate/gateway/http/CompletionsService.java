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
 * OpenAI's legacy text completions: the prompt goes to the model as raw text, without a chat template (as OpenAI's
 * completion models took it).
 *
 * <pre>
 * curl localhost:8080/v1/completions -H 'Content-Type: application/json' \
 *      -d '{"model":"qwen2.5:0.5b","prompt":"Once upon a time","max_tokens":16}'
 * </pre>
 */
public final class CompletionsService implements HttpService {
    private final Engine engine;
    private final Metrics metrics;

    public CompletionsService(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    record Choice(String text, int index, Object logprobs, String finishReason) {
    }

    record Completion(String id, String object, long created, String model, List<Choice> choices,
                      OpenAiWire.Usage usage) {
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/completions", this::complete);
    }

    private void complete(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        if (model.startsWith("bot/")) {
            throw new BadRequestException("bots answer chats: use /v1/chat/completions with model '" + model + "'");
        }
        boolean stream = JsonFields.bool(body, "stream", false);
        List<String> prompts = JsonFields.stringOrList(body, "prompt");
        if (prompts == null || prompts.size() != 1) {
            throw new BadRequestException("field 'prompt' must be one string (or an array of exactly one)");
        }
        if (JsonFields.bool(body, "echo", false) || !JsonFields.text(body, "suffix", "").isEmpty()) {
            throw new BadRequestException("echo and suffix are not supported; leave them out");
        }
        JsonNode best = body.get("best_of");
        if (best != null && !best.isNull() && best.asInt(1) != 1) {
            throw new BadRequestException("only best_of=1 is supported");
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        GenerationRequest request = new GenerationRequest(model, new GenerationRequest.Raw(prompts.getFirst()),
                RequestOptions.openAi(body));
        metrics.inc("botgate_requests_total", "route=\"/v1/completions\"", 1);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        StringBuilder all = new StringBuilder();
        try (NdjsonResponse out = new NdjsonResponse(res, "text/event-stream")) {
            out.batched();
            GenerationRun.run(engine, metrics, "/v1/completions", request, new GenerationRun.Writer() {
                @Override
                public void token(String text) throws IOException {
                    if (stream) {
                        out.event(new Completion(id, "text_completion", created, model,
                                List.of(new Choice(text, 0, null, null)), null));
                    } else {
                        all.append(text);
                    }
                }

                @Override
                public void done(GenerationEvent.Done done) throws IOException {
                    OpenAiWire.Usage usage = new OpenAiWire.Usage(done.stats().promptTokens(),
                            done.stats().completionTokens(),
                            done.stats().promptTokens() + done.stats().completionTokens());
                    String finish = done.reason() == GenerationEvent.DoneReason.LENGTH ? "length" : "stop";
                    if (stream) {
                        out.event(new Completion(id, "text_completion", created, model,
                                List.of(new Choice("", 0, null, finish)), includeUsage ? usage : null));
                        out.raw(OpenAiService.DONE);
                    } else {
                        res.header(HeaderNames.CONTENT_TYPE, "application/json");
                        res.send(Json.bytes(new Completion(id, "text_completion", created, model,
                                List.of(new Choice(all.toString(), 0, null, finish)), usage)));
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
}

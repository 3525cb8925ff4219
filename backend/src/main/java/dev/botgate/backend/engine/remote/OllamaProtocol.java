package dev.botgate.backend.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's native API: {@code /api/chat} (or {@code /api/generate} with {@code raw} for a raw prompt), one JSON object
 * per line, the last with {@code done: true} and the counts.
 */
final class OllamaProtocol implements WireProtocol {

    @Override
    public String path(GenerationRequest.Prompt prompt) {
        return prompt instanceof GenerationRequest.Raw ? "/api/generate" : "/api/chat";
    }

    @Override
    public byte[] body(String remoteModel, GenerationRequest request) {
        ObjectNode b = WireJson.MAPPER.createObjectNode();
        b.put("model", remoteModel);
        switch (request.prompt()) {
            case GenerationRequest.Chat chat -> {
                ArrayNode messages = b.putArray("messages");
                for (ChatMessage m : chat.messages()) {
                    messages.addObject().put("role", m.role()).put("content", m.content());
                }
            }
            case GenerationRequest.Raw raw -> {
                b.put("prompt", raw.text());
                b.put("raw", true);
            }
        }
        b.put("stream", true);
        GenerationOptions o = request.options();
        ObjectNode opts = WireJson.MAPPER.createObjectNode();
        if (o.temperature() != null) {
            opts.put("temperature", o.temperature());
        }
        if (o.topP() != null) {
            opts.put("top_p", o.topP());
        }
        if (o.topK() != null) {
            opts.put("top_k", o.topK());
        }
        if (o.minP() != null) {
            opts.put("min_p", o.minP());
        }
        if (o.seed() != null) {
            opts.put("seed", o.seed());
        }
        if (o.repeatPenalty() != null) {
            opts.put("repeat_penalty", o.repeatPenalty());
        }
        if (o.numPredict() != null) {
            opts.put("num_predict", o.numPredict());
        }
        if (o.stop() != null && !o.stop().isEmpty()) {
            ArrayNode stop = opts.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (!opts.isEmpty()) {
            b.set("options", opts);
        }
        if (o.jsonSchema() != null) {
            b.set("format", WireJson.parse(o.jsonSchema()));
        } else if (Boolean.TRUE.equals(o.json())) {
            b.put("format", "json");
        }
        return WireJson.bytes(b);
    }

    @Override
    public void line(String line, Sink sink) {
        if (line.isBlank()) {
            return;
        }
        JsonNode n = WireJson.parse(line);
        if (n.hasNonNull("error")) {
            sink.error(WireJson.errorMessage(line.getBytes(StandardCharsets.UTF_8)));
            return;
        }
        JsonNode content = n.path("message").path("content");
        if (content.isMissingNode()) {
            content = n.path("response");
        }
        if (content.isTextual() && !content.asText().isEmpty()) {
            sink.token(content.asText());
        }
        if (n.path("done").asBoolean(false)) {
            if (n.hasNonNull("done_reason")) {
                sink.finishReason(n.get("done_reason").asText());
            }
            if (n.has("eval_count") || n.has("prompt_eval_count")) {
                sink.usage(n.path("prompt_eval_count").asInt(0), n.path("eval_count").asInt(0));
            }
            sink.end();
        }
    }

    @Override
    public String modelsPath() {
        return "/api/tags";
    }

    @Override
    public List<String> models(byte[] body) {
        List<String> out = new ArrayList<>();
        WireJson.parse(new String(body, StandardCharsets.UTF_8)).path("models").forEach(m -> {
            JsonNode name = m.hasNonNull("name") ? m.get("name") : m.get("model");
            if (name != null) {
                out.add(name.asText());
            }
        });
        return out;
    }

    @Override
    public String embedPath() {
        return "/api/embed";
    }

    @Override
    public byte[] embedBody(String remoteModel, List<String> texts) {
        ObjectNode b = WireJson.MAPPER.createObjectNode();
        b.put("model", remoteModel);
        ArrayNode input = b.putArray("input");
        texts.forEach(input::add);
        return WireJson.bytes(b);
    }

    @Override
    public float[][] embeddings(byte[] body, int count) {
        JsonNode e = WireJson.parse(new String(body, StandardCharsets.UTF_8)).path("embeddings");
        if (e.size() != count) {
            throw new IllegalArgumentException("asked for " + count + " embeddings, got " + e.size());
        }
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = WireJson.vector(e.get(i));
        }
        return out;
    }

    @Override
    public String errorMessage(byte[] body) {
        return WireJson.errorMessage(body);
    }
}

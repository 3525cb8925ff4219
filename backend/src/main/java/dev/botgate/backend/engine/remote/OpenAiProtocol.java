package dev.botgate.backend.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's chat completions with SSE streaming ({@code data: {chunk}} lines, then {@code data: [DONE]}), as vLLM,
 * SGLang, llama.cpp's server, LM Studio and the cloud APIs speak it. A raw prompt goes to {@code /completions}.
 */
final class OpenAiProtocol implements WireProtocol {

    @Override
    public String path(GenerationRequest.Prompt prompt) {
        return prompt instanceof GenerationRequest.Raw ? "/completions" : "/chat/completions";
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
            case GenerationRequest.Raw raw -> b.put("prompt", raw.text());
        }
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        GenerationOptions o = request.options();
        if (o.temperature() != null) {
            b.put("temperature", o.temperature());
        }
        if (o.topP() != null) {
            b.put("top_p", o.topP());
        }
        // Not in OpenAI's own API, but vLLM, SGLang and llama.cpp's server read them; sent only when asked for.
        if (o.topK() != null) {
            b.put("top_k", o.topK());
        }
        if (o.minP() != null) {
            b.put("min_p", o.minP());
        }
        if (o.seed() != null) {
            b.put("seed", o.seed());
        }
        if (o.repeatPenalty() != null) {
            // The inverse of how Botgate's OpenAI API reads frequency_penalty (repeat = 1 + f / 2).
            b.put("frequency_penalty", Math.max(0, Math.min(2, (o.repeatPenalty() - 1) * 2)));
        }
        if (o.numPredict() != null && o.numPredict() > 0) {
            b.put("max_tokens", o.numPredict());
        }
        if (o.stop() != null && !o.stop().isEmpty()) {
            ArrayNode stop = b.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (o.jsonSchema() != null) {
            ObjectNode rf = b.putObject("response_format");
            rf.put("type", "json_schema");
            ObjectNode js = rf.putObject("json_schema");
            js.put("name", "output");
            js.set("schema", WireJson.parse(o.jsonSchema()));
        } else if (Boolean.TRUE.equals(o.json())) {
            b.putObject("response_format").put("type", "json_object");
        }
        return WireJson.bytes(b);
    }

    @Override
    public void line(String line, Sink sink) {
        // SSE: only data lines matter; comments (": ping"), event names and blank separators are skipped.
        if (!line.startsWith("data:")) {
            return;
        }
        String data = line.substring(5).strip();
        if (data.equals("[DONE]")) {
            sink.end();
            return;
        }
        JsonNode n = WireJson.parse(data);
        if (n.has("error")) {
            sink.error(WireJson.errorMessage(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return;
        }
        JsonNode choice = n.path("choices").path(0);
        if (!choice.isMissingNode()) {
            JsonNode content = choice.path("delta").path("content");
            if (content.isMissingNode()) {
                content = choice.path("text");
            }
            if (content.isTextual() && !content.asText().isEmpty()) {
                sink.token(content.asText());
            }
            JsonNode finish = choice.get("finish_reason");
            if (finish != null && finish.isTextual()) {
                sink.finishReason(finish.asText());
            }
        }
        JsonNode usage = n.get("usage");
        if (usage != null && usage.isObject()) {
            sink.usage(usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0));
        }
    }

    @Override
    public String modelsPath() {
        return "/models";
    }

    @Override
    public List<String> models(byte[] body) {
        List<String> out = new ArrayList<>();
        WireJson.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8)).path("data")
                .forEach(m -> {
                    if (m.hasNonNull("id")) {
                        out.add(m.get("id").asText());
                    }
                });
        return out;
    }

    @Override
    public String embedPath() {
        return "/embeddings";
    }

    @Override
    public byte[] embedBody(String remoteModel, List<String> texts) {
        ObjectNode b = WireJson.MAPPER.createObjectNode();
        b.put("model", remoteModel);
        ArrayNode input = b.putArray("input");
        texts.forEach(input::add);
        b.put("encoding_format", "float");
        return WireJson.bytes(b);
    }

    @Override
    public float[][] embeddings(byte[] body, int count) {
        JsonNode data = WireJson.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8)).path("data");
        if (data.size() != count) {
            throw new IllegalArgumentException("asked for " + count + " embeddings, got " + data.size());
        }
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            JsonNode d = data.get(i);
            int index = d.path("index").asInt(i);
            if (index < 0 || index >= count || out[index] != null) {
                throw new IllegalArgumentException("embedding index " + index + " out of order");
            }
            out[index] = WireJson.vector(d.path("embedding"));
        }
        return out;
    }

    @Override
    public String errorMessage(byte[] body) {
        return WireJson.errorMessage(body);
    }
}

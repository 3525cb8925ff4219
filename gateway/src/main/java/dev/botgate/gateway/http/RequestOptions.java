package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.GenerationOptions;

/**
 * Reads generation options from the two wire formats into the engine's {@link GenerationOptions}. A request without
 * a token limit ({@code num_predict}, {@code max_tokens}, {@code max_completion_tokens}) gets the engine's
 * {@code engine.num-predict}.
 */
final class RequestOptions {
    private RequestOptions() {
    }

    /** Ollama: an {@code options} object plus the top-level {@code format} ("json" or a JSON schema). */
    static GenerationOptions ollama(JsonNode body) {
        JsonNode o = body.path("options");
        if (!o.isMissingNode() && !o.isNull() && !o.isObject()) {
            throw new BadRequestException("field 'options' must be an object");
        }
        Boolean json = null;
        String schema = null;
        JsonNode format = body.get("format");
        if (format != null && !format.isNull()) {
            if (format.isTextual() && format.asText().equals("json")) {
                json = true;
            } else if (format.isObject()) {
                schema = format.toString();
            } else if (!(format.isTextual() && format.asText().isEmpty())) {
                throw new BadRequestException("field 'format' must be \"json\" or a JSON schema object");
            }
        }
        if (!o.isObject()) {
            return new GenerationOptions(null, null, null, null, null, null, null, null, schema, json, null);
        }
        return new GenerationOptions(
                JsonFields.number(o, "temperature", 0, 5),
                JsonFields.number(o, "top_p", 0, 1),
                JsonFields.integer(o, "top_k", 0, 100_000),
                JsonFields.number(o, "min_p", 0, 1),
                JsonFields.integer(o, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE),
                JsonFields.number(o, "repeat_penalty", 0, 10),
                JsonFields.integer(o, "num_predict", -2, 1_000_000),
                JsonFields.stringOrList(o, "stop"),
                schema, json,
                // Bounded here: a huge window (2^30) used to reach the engine and end in a 500.
                JsonFields.integer(o, "num_ctx", 1, GenerationOptions.MAX_NUM_CTX));
    }

    /**
     * Token log-probabilities are refused rather than left out: the engine does not pass llama.cpp's token
     * probabilities through yet, so a client asking for them would silently get none.
     */
    static void refuseLogprobs(JsonNode body) {
        JsonNode lp = body.get("logprobs");
        boolean asked = lp != null && !lp.isNull() && !(lp.isBoolean() && !lp.asBoolean())
                && !(lp.isNumber() && lp.asInt() == 0);
        JsonNode top = body.get("top_logprobs");
        if (asked || (top != null && !top.isNull() && top.asInt(0) > 0)) {
            throw new BadRequestException("logprobs and top_logprobs are not supported: Botgate does not return "
                    + "token probabilities yet; leave them out");
        }
    }

    /** OpenAI: top-level sampling fields and {@code response_format}. */
    static GenerationOptions openAi(JsonNode body) {
        Boolean json = null;
        String schema = null;
        JsonNode rf = body.get("response_format");
        if (rf != null && !rf.isNull()) {
            String type = rf.path("type").asText("");
            switch (type) {
                case "text" -> { }
                case "json_object" -> json = true;
                case "json_schema" -> {
                    JsonNode s = rf.path("json_schema").path("schema");
                    if (!s.isObject()) {
                        throw new BadRequestException("response_format.json_schema.schema must be a JSON schema object");
                    }
                    schema = s.toString();
                }
                default -> throw new BadRequestException(
                        "response_format.type must be text, json_object or json_schema, got '" + type + "'");
            }
        }
        refuseLogprobs(body);
        Integer maxTokens = JsonFields.integer(body, "max_completion_tokens", 1, 1_000_000);
        if (maxTokens == null) {
            maxTokens = JsonFields.integer(body, "max_tokens", 1, 1_000_000);
        }
        if (maxTokens == null) {
            maxTokens = JsonFields.integer(body, "max_output_tokens", 1, 1_000_000); // the Responses API's name
        }
        Double frequency = JsonFields.number(body, "frequency_penalty", -2, 2);
        Double repeat = frequency == null ? null : 1.0 + Math.max(0, frequency) / 2;
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && n.asInt(1) != 1) {
            throw new BadRequestException("only n=1 is supported");
        }
        return new GenerationOptions(
                JsonFields.number(body, "temperature", 0, 2),
                JsonFields.number(body, "top_p", 0, 1),
                JsonFields.integer(body, "top_k", 0, 100_000),
                JsonFields.number(body, "min_p", 0, 1),
                JsonFields.integer(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE),
                repeat, maxTokens, JsonFields.stringOrList(body, "stop"), schema, json);
    }
}

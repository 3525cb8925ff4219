package dev.botgate.backend.engine;

import java.util.List;

/**
 * Sampling and limits. A {@code null} field means "not set": {@link #overriddenBy} layers request options over a
 * model's defaults. Names follow Ollama's {@code options}.
 *
 * @param numPredict  max tokens to generate; -1 = until stop or context end
 * @param jsonSchema  JSON schema (as JSON text) the output must follow; turned into a grammar by the engine
 * @param json        {@code true} for any JSON object (Ollama's {@code format: "json"})
 * @param numCtx      the context window this request may use (Ollama's {@code num_ctx}); capped by the context the
 *                    model is loaded with, since a loaded model is never reloaded (see {@link LlamaEngine})
 */
public record GenerationOptions(Double temperature, Double topP, Integer topK, Double minP, Integer seed,
                                Double repeatPenalty, Integer numPredict, List<String> stop, String jsonSchema,
                                Boolean json, Integer numCtx) {

    /** Largest {@code num_ctx} a request may name (2^20 tokens, the largest {@code engine.context-size}). */
    public static final int MAX_NUM_CTX = 1 << 20;

    /** No option set. */
    public static final GenerationOptions NONE =
            new GenerationOptions(null, null, null, null, null, null, null, null, null, null, null);

    public GenerationOptions {
        stop = stop == null ? null : List.copyOf(stop);
    }

    /** Options without a context window of their own (Modelfile defaults and most requests). */
    public GenerationOptions(Double temperature, Double topP, Integer topK, Double minP, Integer seed,
                             Double repeatPenalty, Integer numPredict, List<String> stop, String jsonSchema,
                             Boolean json) {
        this(temperature, topP, topK, minP, seed, repeatPenalty, numPredict, stop, jsonSchema, json, null);
    }

    /** These options with every field that {@code over} sets replaced by its value. */
    public GenerationOptions overriddenBy(GenerationOptions over) {
        return new GenerationOptions(
                pick(over.temperature, temperature), pick(over.topP, topP), pick(over.topK, topK),
                pick(over.minP, minP), pick(over.seed, seed), pick(over.repeatPenalty, repeatPenalty),
                pick(over.numPredict, numPredict), pick(over.stop, stop), pick(over.jsonSchema, jsonSchema),
                pick(over.json, json), pick(over.numCtx, numCtx));
    }

    private static <T> T pick(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}

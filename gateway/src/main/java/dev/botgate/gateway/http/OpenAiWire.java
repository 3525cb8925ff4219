package dev.botgate.gateway.http;

import java.util.List;

/** OpenAI's wire types for chat completions, models and embeddings. */
final class OpenAiWire {
    private OpenAiWire() {
    }

    record Message(String role, String content) {
    }

    record Delta(String role, String content) {
    }

    record Choice(int index, Message message, String finishReason) {
    }

    record ChunkChoice(int index, Delta delta, String finishReason) {
    }

    record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }

    /** A source the answer used, Botgate's extension for bots ({@code "sources"} beside {@code choices}). */
    record Source(String title, String location, double score) {
    }

    record Completion(String id, String object, long created, String model, List<Choice> choices, Usage usage,
                      List<Source> sources) {
    }

    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage,
                 List<Source> sources) {
    }

    record Model(String id, String object, long created, String ownedBy) {
    }

    record Models(String object, List<Model> data) {
    }

    record Embedding(String object, int index, Object embedding) {
    }

    record Embeddings(String object, List<Embedding> data, String model, Usage usage) {
    }
}

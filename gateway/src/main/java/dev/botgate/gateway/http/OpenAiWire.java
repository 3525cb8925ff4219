package dev.botgate.gateway.http;

import java.util.List;

/** OpenAI's wire types for chat completions, models and embeddings. */
final class OpenAiWire {
    private OpenAiWire() {
    }

    /** An assistant message; {@code content} is null when it only calls tools. */
    record Message(String role, String content, List<ToolCall> toolCalls) {
        Message(String role, String content) {
            this(role, content, null);
        }
    }

    record Delta(String role, String content, List<ToolCall> toolCalls) {
        Delta(String role, String content) {
            this(role, content, null);
        }
    }

    /** A call the model made; {@code index} only in streamed deltas. */
    record ToolCall(Integer index, String id, String type, Function function) {
    }

    /** A call's function and its arguments as JSON text. */
    record Function(String name, String arguments) {
    }

    static List<ToolCall> toolCalls(List<dev.botgate.backend.engine.ToolCall> calls, boolean indexed) {
        List<ToolCall> out = new java.util.ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            dev.botgate.backend.engine.ToolCall c = calls.get(i);
            out.add(new ToolCall(indexed ? i : null, c.id(), "function", new Function(c.name(), c.arguments())));
        }
        return out;
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

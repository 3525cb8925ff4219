package dev.botgate.gateway.http;

import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Ollama's wire types (api/types.go), kept apart from the routes and from the engine's types (STYLE R3). */
final class OllamaWire {
    private OllamaWire() {
    }

    /** A message; {@code thinking} and {@code toolCalls} are null when absent. */
    record Message(String role, String content, String thinking, List<ToolCall> toolCalls) {
        Message(String role, String content) {
            this(role, content, null, null);
        }
    }

    /** Ollama's call: the arguments as a JSON object. */
    record ToolCall(Function function) {
    }

    record Function(String name, Object arguments) {
    }

    static List<ToolCall> toolCalls(List<dev.botgate.backend.engine.ToolCall> calls) {
        List<ToolCall> out = new java.util.ArrayList<>();
        for (dev.botgate.backend.engine.ToolCall c : calls) {
            Object args;
            try {
                args = Json.MAPPER.readTree(c.arguments());
            } catch (java.io.IOException e) {
                args = java.util.Map.of();
            }
            out.add(new ToolCall(new Function(c.name(), args)));
        }
        return out;
    }

    /** One line of /api/chat output; the last one (done=true) carries the timings. */
    record ChatLine(String model, String createdAt, Message message, boolean done, String doneReason,
                    Long totalDuration, Long loadDuration, Integer promptEvalCount, Long promptEvalDuration,
                    Integer evalCount, Long evalDuration, Integer droppedTurns) {
        static ChatLine token(String model, String text, String thinking) {
            return new ChatLine(model, now(), new Message("assistant", text, thinking, null), false, null, null, null,
                    null, null, null, null, null);
        }

        /** The answer to a request that only loads or unloads the model (empty messages, keep_alive 0). */
        static ChatLine lifecycle(String model, String reason) {
            return new ChatLine(model, now(), new Message("assistant", ""), true, reason, null, null, null, null,
                    null, null, null);
        }

        static ChatLine done(String model, String content, String thinking, GenerationEvent.Done d) {
            GenerationStats s = d.stats();
            Message message = new Message("assistant", content, thinking,
                    d.toolCalls().isEmpty() ? null : toolCalls(d.toolCalls()));
            return new ChatLine(model, now(), message, true, reason(d),
                    s.totalNanos(), s.loadNanos(), s.promptTokens(), s.promptNanos(), s.completionTokens(),
                    s.generateNanos(), s.droppedTurns() > 0 ? s.droppedTurns() : null);
        }
    }

    /** One line of /api/generate output. */
    record GenerateLine(String model, String createdAt, String response, String thinking, boolean done,
                        String doneReason, int[] context, Long totalDuration, Long loadDuration,
                        Integer promptEvalCount, Long promptEvalDuration, Integer evalCount, Long evalDuration) {
        static GenerateLine token(String model, String text, String thinking) {
            return new GenerateLine(model, now(), text, thinking, false, null, null, null, null, null, null, null,
                    null);
        }

        /** The answer to a request that only loads or unloads the model (empty prompt, keep_alive 0). */
        static GenerateLine lifecycle(String model, String reason) {
            return new GenerateLine(model, now(), "", null, true, reason, null, null, null, null, null, null, null);
        }

        static GenerateLine done(String model, String response, String thinking, int[] context, GenerationEvent.Done d) {
            GenerationStats s = d.stats();
            return new GenerateLine(model, now(), response, thinking, true, reason(d), context, s.totalNanos(),
                    s.loadNanos(), s.promptTokens(), s.promptNanos(), s.completionTokens(), s.generateNanos());
        }
    }

    record Details(String parentModel, String format, String family, List<String> families, String parameterSize,
                   String quantizationLevel) {
    }

    record TagModel(String name, String model, String modifiedAt, long size, String digest, Details details) {
    }

    record Tags(List<TagModel> models) {
    }

    record PsModel(String name, String model, long size, String digest, Details details, String expiresAt,
                   long sizeVram, int contextLength, int slots, int busySlots, int queued) {
    }

    record Ps(List<PsModel> models) {
    }

    record Show(String modelfile, String parameters, String template, String system, Details details,
                Map<String, Object> modelInfo, List<String> capabilities, String modifiedAt) {
    }

    record Embed(String model, List<float[]> embeddings, Long totalDuration, Long loadDuration,
                 Integer promptEvalCount) {
    }

    static String now() {
        return Instant.now().toString();
    }

    static String reason(GenerationEvent.Done d) {
        return switch (d.reason()) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}

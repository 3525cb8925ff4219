package dev.botgate.backend.engine;

import java.util.List;
import java.util.Objects;

/** What a generation reports, in order: tokens, then one terminal event. */
public sealed interface GenerationEvent {

    /** A piece of generated text (may be part of a UTF-8 character sequence only when the model split it). */
    record Token(String text) implements GenerationEvent {
        public Token {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The generation ended normally or was cancelled.
     *
     * @param toolCalls the function calls found in the output when the request offered tools (their text was not
     *                  sent as tokens); empty otherwise
     */
    record Done(DoneReason reason, GenerationStats stats, List<ToolCall> toolCalls) implements GenerationEvent {
        public Done {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(stats, "stats");
            toolCalls = List.copyOf(toolCalls);
        }

        /** An end without tool calls. */
        public Done(DoneReason reason, GenerationStats stats) {
            this(reason, stats, List.of());
        }
    }

    /** The generation failed after it was accepted; the message is safe to show to the client. */
    record Failed(String message) implements GenerationEvent {
        public Failed {
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a generation ended. Ollama reports {@code stop} or {@code length}. */
    enum DoneReason { STOP, LENGTH, CANCELLED }
}

package dev.botgate.gateway.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * What a bot answered and why.
 *
 * @param text    the answer
 * @param sources titles of the documents it came from
 * @param policy  how it was decided
 * @param promptTokens     tokens the model read for it (0 when no model answered)
 * @param completionTokens tokens the model wrote (0 when no model answered)
 */
public record Answer(String text, List<String> sources, Policy policy, int promptTokens, int completionTokens) {
    public Answer {
        Objects.requireNonNull(text, "text");
        sources = List.copyOf(sources);
        Objects.requireNonNull(policy, "policy");
    }

    /** An answer no model wrote. */
    public Answer(String text, List<String> sources, Policy policy) {
        this(text, sources, policy, 0, 0);
    }

    /** How an answer was decided; reported in metrics and in the message record. */
    public enum Policy {
        /** A Q&amp;A entry matched: its answer verbatim, no model. */
        DIRECT,
        /** Nothing relevant enough was found: the bot's fallback text. */
        FALLBACK,
        /** The model answered from the retrieved passages. */
        MODEL,
        /** No model configured: the best passage with its source. */
        KNOWLEDGE,
        /** A fixed reply: welcome, reset, unsupported message type, refused, busy, rate-limited. */
        CANNED,
        /** The conversation was handed to a person: the handoff text. */
        HANDOFF,
        /** A person holds the conversation: nothing is sent (the message is still recorded). */
        SILENT,
        /** The best entries were too close to tell apart: a numbered menu of their questions ("您是想问："). */
        CLARIFY;

        /** Lower-case name for metrics and records. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

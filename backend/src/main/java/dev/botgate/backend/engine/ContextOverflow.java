package dev.botgate.backend.engine;

import java.util.Locale;

/**
 * What the engine does with a chat that does not fit the context ({@code engine.context-overflow}). Neither policy
 * ever cuts a prompt at the front silently, which is what Ollama does.
 */
public enum ContextOverflow {
    /**
     * Drop the oldest non-system turns, one at a time (and an assistant turn left leading the history with it), until
     * the prompt fits; system messages and the last user turn are always kept. The number dropped is reported in
     * {@link GenerationStats#droppedTurns()}. When even the system messages and the last user turn do not fit, the
     * request is refused as under {@link #ERROR}. Raw prompts have no turns and are refused when too long.
     */
    DROP_OLDEST,
    /** Refuse the request with {@link InvalidRequestException} saying how long the prompt is. */
    ERROR;

    /** Parses the configuration spelling: {@code drop-oldest} or {@code error}. */
    public static ContextOverflow parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "drop-oldest" -> DROP_OLDEST;
            case "error" -> ERROR;
            default -> throw new IllegalArgumentException(
                    "engine.context-overflow must be 'drop-oldest' or 'error', not '" + value + "'");
        };
    }

    /** The configuration spelling. */
    public String configValue() {
        return this == DROP_OLDEST ? "drop-oldest" : "error";
    }
}

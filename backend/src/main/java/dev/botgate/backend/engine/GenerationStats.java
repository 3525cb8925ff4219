package dev.botgate.backend.engine;

/**
 * Figures for one generation, in Ollama's terms.
 *
 * @param promptTokens       tokens in the rendered prompt
 * @param cachedTokens       prompt tokens reused from the slot's cache (not recomputed)
 * @param completionTokens   tokens generated
 * @param droppedTurns       oldest non-system turns dropped to fit the context (0 when nothing was dropped)
 * @param loadNanos          time spent loading the model for this request (0 when it was loaded)
 * @param promptNanos        time to first token, queue wait excluded
 * @param generateNanos      time from first to last token
 * @param totalNanos         wall time from submit to done
 */
public record GenerationStats(int promptTokens, int cachedTokens, int completionTokens, int droppedTurns,
                              long loadNanos, long promptNanos, long generateNanos, long totalNanos) {
}

package dev.botgate.backend.engine;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that might be the start of a stop string is held back until the next
 * piece decides it, so a stop string never reaches the client, not even in part. Stop strings are matched here rather
 * than by llama.cpp because java-llama.cpp does not report why a generation ended, and the engine must tell STOP
 * from LENGTH. Not thread-safe: one per generation.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean matched;

    StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds generated text; returns what may be sent now (possibly empty). */
    String feed(String text) {
        if (matched) {
            return "";
        }
        pending.append(text);
        int earliest = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        if (earliest >= 0) {
            matched = true;
            String out = pending.substring(0, earliest);
            pending.setLength(0);
            return out;
        }
        int keep = heldBack();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** Whether a stop string was found; nothing more should be generated. */
    boolean matched() {
        return matched;
    }

    /** Text still held back when the generation ended for another reason. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code pending} that is a proper prefix of some stop string. */
    private int heldBack() {
        int best = 0;
        String text = pending.toString();
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, text.length());
            for (int n = max; n > best; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}

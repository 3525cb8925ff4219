package dev.botgate.gateway.http;

/**
 * Separates a reasoning model's {@code <think>…</think>} part from its answer, for Ollama's {@code think: true}. Fed
 * streamed pieces in order; a tag split across pieces is held until it is whole.
 */
final class ThinkSplitter {
    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";
    private final StringBuilder pending = new StringBuilder();
    private boolean inside;
    private boolean started;

    /** What a piece adds to the thinking and to the answer. */
    record Split(String thinking, String content) {
    }

    Split feed(String piece) {
        pending.append(piece);
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        while (!pending.isEmpty()) {
            if (!started) {
                String s = pending.toString().stripLeading();
                if (s.isEmpty() || (OPEN.startsWith(s) && s.length() < OPEN.length())) {
                    break; // not yet known whether the output opens with <think>
                }
                started = true;
                if (s.startsWith(OPEN)) {
                    inside = true;
                    pending.setLength(0);
                    pending.append(s.substring(OPEN.length()));
                }
                continue;
            }
            if (!inside) {
                content.append(pending);
                pending.setLength(0);
                break;
            }
            int at = pending.indexOf(CLOSE);
            if (at >= 0) {
                thinking.append(pending, 0, at);
                String rest = pending.substring(at + CLOSE.length()).stripLeading();
                pending.setLength(0);
                pending.append(rest);
                inside = false;
                continue;
            }
            int keep = 0;
            for (int n = Math.min(CLOSE.length() - 1, pending.length()); n > 0; n--) {
                if (CLOSE.startsWith(pending.substring(pending.length() - n))) {
                    keep = n;
                    break;
                }
            }
            thinking.append(pending, 0, pending.length() - keep);
            pending.delete(0, pending.length() - keep);
            break;
        }
        return new Split(thinking.toString(), content.toString());
    }

    /** What is still held at the end. */
    Split finish() {
        String rest = pending.toString();
        pending.setLength(0);
        return inside ? new Split(rest, "") : new Split("", rest);
    }
}

package dev.botgate.backend.engine;

import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stands between a generation and its listener when the request offers tools: text goes on as it comes until the
 * start of a call appears (or might be appearing: a suffix that begins the marker is held back), then the rest is
 * held, parsed at the end, and reported as {@link GenerationEvent.Done#toolCalls()}. Held text that holds no call
 * goes on as a token before the end.
 */
final class ToolCallStream implements Consumer<GenerationEvent> {
    private final ToolFormat format;
    private final Set<String> offered;
    private final Consumer<GenerationEvent> downstream;
    private final String marker;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private int heldFrom = -1;

    ToolCallStream(ToolFormat format, Set<String> offered, Consumer<GenerationEvent> downstream) {
        this.format = format;
        this.offered = offered;
        this.downstream = Objects.requireNonNull(downstream);
        this.marker = switch (format) {
            case HERMES -> "<tool_call>";
            case LLAMA3 -> "<|python_tag|>";
            case MISTRAL -> "[TOOL_CALLS]";
        };
    }

    @Override
    public void accept(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Token t -> {
                text.append(t.text());
                if (heldFrom < 0) {
                    release();
                }
            }
            case GenerationEvent.Done d -> {
                if (heldFrom >= 0) {
                    ToolCallParser.Parsed parsed = ToolCallParser.parse(format, text.substring(heldFrom), offered);
                    if (!parsed.calls().isEmpty()) {
                        String before = parsed.content();
                        if (!before.isEmpty()) {
                            downstream.accept(new GenerationEvent.Token(before));
                        }
                        downstream.accept(new GenerationEvent.Done(d.reason(), d.stats(), parsed.calls()));
                        return;
                    }
                }
                flush();
                downstream.accept(d);
            }
            case GenerationEvent.Failed f -> {
                flush();
                downstream.accept(f);
            }
        }
    }

    /** Sends what cannot be the start of a call; starts holding at a call's start. */
    private void release() {
        if (format == ToolFormat.LLAMA3 && text.substring(emitted).isBlank() && emitted == 0) {
            return; // whether the output is a bare JSON call shows at its first visible character
        }
        if (format == ToolFormat.LLAMA3 && emitted == 0 && text.toString().stripLeading().startsWith("{")) {
            heldFrom = 0;
            return;
        }
        int at = text.indexOf(marker, emitted);
        if (at >= 0) {
            send(at);
            heldFrom = at;
            return;
        }
        int keep = 0;
        for (int n = Math.min(marker.length() - 1, text.length() - emitted); n > 0; n--) {
            if (marker.startsWith(text.substring(text.length() - n))) {
                keep = n;
                break;
            }
        }
        send(text.length() - keep);
    }

    private void send(int upTo) {
        if (upTo > emitted) {
            downstream.accept(new GenerationEvent.Token(text.substring(emitted, upTo)));
            emitted = upTo;
        }
    }

    private void flush() {
        send(text.length());
    }
}

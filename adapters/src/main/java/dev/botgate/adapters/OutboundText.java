package dev.botgate.adapters;

import java.util.List;
import java.util.Objects;

/**
 * An answer to send. The adapter converts the Markdown to the platform's format, appends the sources in the
 * platform's style and splits it to the platform's limits.
 *
 * @param markdown     the answer text (Markdown is allowed; platforms without it get plain text)
 * @param sources      titles of the documents the answer came from, in order; may be empty
 * @param sourcesLabel the label put before the sources, e.g. {@code "来源"} or {@code "Sources"}
 */
public record OutboundText(String markdown, List<String> sources, String sourcesLabel) {

    /** Validates and copies. */
    public OutboundText {
        Objects.requireNonNull(markdown, "markdown");
        sources = List.copyOf(sources);
        Objects.requireNonNull(sourcesLabel, "sourcesLabel");
    }

    /** A plain answer without sources. */
    public static OutboundText of(String markdown) {
        return new OutboundText(markdown, List.of(), "Sources");
    }

    /** The Markdown with a trailing sources line when there are sources. */
    public String withSourcesLine() {
        if (sources.isEmpty()) {
            return markdown;
        }
        return markdown + "\n\n" + sourcesLabel + ": " + String.join("; ", sources);
    }
}

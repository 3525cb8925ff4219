package dev.botgate.knowledge.ingest;

import java.util.Objects;

/** A file that could not be imported, and why, in words a user can act on. */
public record Skipped(String source, String reason) {
    public Skipped {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
    }
}

package dev.botgate.knowledge.ingest;

import java.util.List;
import java.util.Objects;

/**
 * A source file read and chunked.
 *
 * @param title       file name for files (or the title found inside, e.g. HTML {@code <title>}), as a user knows it
 * @param source      path or name relative to what was imported (stable across imports: the dedupe key)
 * @param contentHash {@code sha256:...} of the raw file bytes
 * @param chunks      in reading order
 */
public record Document(String title, String source, String contentHash, List<Chunk> chunks) {
    public Document {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(contentHash, "contentHash");
        chunks = List.copyOf(chunks);
    }
}

package dev.botgate.knowledge.ingest;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads files into chunked {@link Document}s: PDF, .docx, Markdown, HTML, text, and Q&amp;A tables (.csv, .xlsx);
 * folders and .zip files are expanded. One unreadable file is reported and skipped, never fatal.
 *
 * <p>CONTRACT STUB written by the lead: the ingest engineer replaces the bodies; signatures are what {@code index}
 * and the gateway call.
 */
public final class DocumentReader {
    private final ChunkingOptions chunking;
    private final ReadLimits limits;

    public DocumentReader(ChunkingOptions chunking, ReadLimits limits) {
        this.chunking = chunking;
        this.limits = limits;
    }

    /**
     * Expands folders and zips in a stable order (sorted by source), tells the listener how many files there are,
     * then reads each one. Sources are relative to the path given (a file given directly is its own file name).
     */
    public void readAll(List<Path> paths, ReadListener listener) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Reads one uploaded file; the extension of {@code fileName} decides the type. */
    public Document read(String fileName, byte[] content) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Chunks plain text that did not come from a file (e.g. a benchmark paragraph) as a text document would be. */
    public Document readText(String title, String source, String text) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}

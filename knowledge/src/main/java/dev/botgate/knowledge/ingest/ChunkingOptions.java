package dev.botgate.knowledge.ingest;

/**
 * How passages are cut.
 *
 * @param targetChars a chunk grows up to this many characters, ending at a sentence boundary
 * @param overlapChars trailing sentences up to this many characters are repeated at the start of the next chunk
 */
public record ChunkingOptions(int targetChars, int overlapChars) {
    public ChunkingOptions {
        if (targetChars < 50 || targetChars > 2000) {
            throw new IllegalArgumentException("chunk target must be 50..2000 characters, got " + targetChars);
        }
        if (overlapChars < 0 || overlapChars >= targetChars) {
            throw new IllegalArgumentException("chunk overlap must be 0..target-1, got " + overlapChars);
        }
    }

    /** Defaults (to be set by measurement, see bench/RESULTS.md). */
    public static ChunkingOptions defaults() {
        return new ChunkingOptions(300, 50);
    }
}

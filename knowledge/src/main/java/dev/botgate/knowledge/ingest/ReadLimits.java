package dev.botgate.knowledge.ingest;

/**
 * Guards against files that would exhaust memory or time.
 *
 * @param maxFileBytes     largest single file (or zip entry, uncompressed) accepted
 * @param maxZipEntries    most entries read from one zip
 * @param maxUnzippedBytes most bytes expanded from one zip in total
 */
public record ReadLimits(long maxFileBytes, int maxZipEntries, long maxUnzippedBytes) {
    public static ReadLimits defaults() {
        return new ReadLimits(50L << 20, 10_000, 500L << 20);
    }
}

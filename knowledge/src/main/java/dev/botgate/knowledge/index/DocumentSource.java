package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.ReadListener;

/** Where an import job's documents come from: paths through the reader, uploads, or (in tests) documents made in code. */
@FunctionalInterface
interface DocumentSource {
    void read(ReadListener listener);
}

package dev.botgate.knowledge.ingest;

import java.io.IOException;

/** Turns the bytes of one file of a known format into units. */
interface FormatReader {
    /**
     * @throws IngestException for a problem the user can fix (encrypted, no rows), with a message saying how
     * @throws IOException     when the file is damaged; the caller reports it as unreadable
     */
    Parsed read(byte[] content) throws IOException;
}

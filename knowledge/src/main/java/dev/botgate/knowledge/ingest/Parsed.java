package dev.botgate.knowledge.ingest;

import java.util.List;
import java.util.Optional;

/**
 * What a format reader found in one file.
 *
 * @param title a title found inside the file (HTML {@code <title>}); empty to use the file name
 * @param units blocks and Q&amp;A pairs in reading order
 */
record Parsed(Optional<String> title, List<Unit> units) {
    Parsed {
        units = List.copyOf(units);
    }

    static Parsed of(List<Unit> units) {
        return new Parsed(Optional.empty(), units);
    }
}

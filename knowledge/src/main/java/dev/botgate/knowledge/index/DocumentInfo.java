package dev.botgate.knowledge.index;

import java.time.Instant;
import java.util.Set;

/**
 * A document stored in a knowledge base.
 *
 * @param id          stable id derived from the source, so a re-import of the same source replaces it
 * @param title       as the user knows it (a file name)
 * @param source      path or name relative to what was imported
 * @param contentHash hash of the raw content; an import with the same hash changes nothing
 * @param importedAt  when this version was written
 * @param tags        labels a search can filter on
 * @param chunks      how many chunks it has
 */
public record DocumentInfo(String id, String title, String source, String contentHash, Instant importedAt,
                           Set<String> tags, int chunks) {
    public DocumentInfo {
        tags = Set.copyOf(tags);
    }
}

package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;

import java.util.List;

/**
 * A stored chunk, as listed for a document.
 *
 * @param id          {@code <documentId>#<ordinal>}
 * @param documentId  the document it belongs to
 * @param ordinal     0-based position in the document
 * @param kind        passage or Q&amp;A
 * @param text        the chunk text (for Q&amp;A: question, phrasings and answer)
 * @param headingPath headings above it, outermost first
 * @param page        1-based page, 0 when the source has none
 * @param questions   for Q&amp;A: the question and its extra phrasings
 * @param answer      for Q&amp;A: the answer; empty for passages
 */
public record ChunkInfo(String id, String documentId, int ordinal, Chunk.Kind kind, String text,
                        List<String> headingPath, int page, List<String> questions, String answer) {
    public ChunkInfo {
        headingPath = List.copyOf(headingPath);
        questions = List.copyOf(questions);
    }
}

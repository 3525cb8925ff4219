package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;

import java.util.List;

/**
 * One search result, with what it takes to explain it.
 *
 * @param base             the knowledge base it came from
 * @param chunkId          {@code <documentId>#<ordinal>}
 * @param documentId       the document's id
 * @param title            the document's title
 * @param source           the document's source
 * @param headingPath      headings above the chunk, outermost first
 * @param page             1-based page, 0 when the source has none
 * @param kind             passage or Q&amp;A
 * @param text             what to show or give the model: the passage, or for Q&amp;A the answer
 * @param highlighted      {@code text} HTML-escaped, with the query's matched words in {@code <em>…</em>}
 * @param score            the fused score; for {@link Fusion#ADAPTIVE} and {@link Fusion#WEIGHTED} it is on the
 *                         same scale for every query, so one threshold works
 * @param keywordScore     keyword evidence: BM25 divided by the most the query's terms could score, 0..1
 * @param vectorSimilarity cosine similarity of query and chunk (for Q&amp;A the best of the whole entry and each
 *                         phrasing of the question)
 * @param keywordRank      1-based rank in the BM25 list, -1 when not in it
 * @param vectorRank       1-based rank in the vector list, -1 when not in it
 * @param directAnswer     a Q&amp;A chunk whose question matches the query closely enough to answer with
 *                         {@code answer} as is
 * @param question         for Q&amp;A: the question; empty for passages
 * @param answer           for Q&amp;A: the answer; empty for passages
 */
public record SearchHit(String base, String chunkId, String documentId, String title, String source,
                        List<String> headingPath, int page, Chunk.Kind kind, String text, String highlighted,
                        double score, double keywordScore, double vectorSimilarity, int keywordRank, int vectorRank,
                        boolean directAnswer, String question, String answer) {
    public SearchHit {
        headingPath = List.copyOf(headingPath);
    }
}

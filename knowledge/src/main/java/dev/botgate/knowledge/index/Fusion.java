package dev.botgate.knowledge.index;

/** How the keyword (BM25) and vector (KNN) result lists are combined. */
public enum Fusion {
    /**
     * The default. Score = cosine similarity + w &times; keyword evidence, where keyword evidence is the BM25 score
     * divided by the most the query's terms could score (0..1), and w grows with how well the query's terms matched
     * at all (the best keyword evidence among the candidates, and whether an identifier matched). Questions that
     * reuse a document's words are ranked mostly by their words; paraphrases mostly by meaning. The score is on the
     * same scale for every query, so one threshold works.
     */
    ADAPTIVE,
    /** Score = cosine similarity + a fixed weight &times; keyword evidence. Comparable across queries. */
    WEIGHTED,
    /**
     * Reciprocal-rank fusion, sum of 1/(60 + rank) over both lists. Ranks only: its score is not comparable across
     * queries, so a threshold on it means little.
     */
    RRF,
    /** BM25 only (the score is the keyword evidence); for comparison and diagnosis. */
    KEYWORD,
    /** Vectors only (the score is the cosine similarity); for comparison and diagnosis. */
    VECTOR
}

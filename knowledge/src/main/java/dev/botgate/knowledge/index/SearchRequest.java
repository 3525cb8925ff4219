package dev.botgate.knowledge.index;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One search over one or more knowledge bases. Build it with {@link #builder(String)}.
 *
 * @param bases       the knowledge bases to search; hits are merged by score
 * @param query       what the user typed, 1..1000 characters
 * @param top         at most this many hits, 1..100
 * @param documentIds only chunks of these documents; empty means all
 * @param tags        only chunks of documents with at least one of these tags; empty means all
 * @param minScore    drop hits scoring below this ({@link SearchHit#score})
 * @param fusion      how keyword and vector results are combined
 */
public record SearchRequest(List<String> bases, String query, int top, Set<String> documentIds, Set<String> tags,
                            double minScore, Fusion fusion) {
    /**
     * Adaptive score under which a search drops a hit unless the request says otherwise (the admin search API).
     * Bots do not use it: they answer or fall back by their answer mode's cross-validated threshold
     * (bench/RESULTS.md, CrossValidationBench).
     */
    public static final double DEFAULT_MIN_SCORE = 0.6;
    /** Longest query accepted. */
    public static final int MAX_QUERY_CHARS = 1000;

    public SearchRequest {
        bases = List.copyOf(bases);
        Objects.requireNonNull(query, "query");
        documentIds = Set.copyOf(documentIds);
        tags = Set.copyOf(tags);
        Objects.requireNonNull(fusion, "fusion");
        if (bases.isEmpty()) {
            throw new KnowledgeException("name at least one knowledge base to search");
        }
        if (query.isBlank()) {
            throw new KnowledgeException("the search query is empty; type a question or keywords");
        }
        if (query.length() > MAX_QUERY_CHARS) {
            throw new KnowledgeException("the search query has " + query.length() + " characters; the limit is "
                    + MAX_QUERY_CHARS);
        }
        if (top < 1 || top > 100) {
            throw new KnowledgeException("top must be 1..100, got " + top);
        }
        if (Double.isNaN(minScore)) {
            throw new KnowledgeException("minScore must be a number");
        }
    }

    /** Starts a request for {@code query} with the defaults: top 10, no filters, the default threshold, adaptive. */
    public static Builder builder(String query) {
        return new Builder(query);
    }

    /** Builds a {@link SearchRequest}. */
    public static final class Builder {
        private final String query;
        private List<String> bases = List.of();
        private int top = 10;
        private Set<String> documentIds = Set.of();
        private Set<String> tags = Set.of();
        private double minScore = DEFAULT_MIN_SCORE;
        private Fusion fusion = Fusion.ADAPTIVE;

        private Builder(String query) {
            this.query = query;
        }

        /** The knowledge bases to search. */
        public Builder bases(String... names) {
            this.bases = List.of(names);
            return this;
        }

        /** The knowledge bases to search. */
        public Builder bases(List<String> names) {
            this.bases = List.copyOf(names);
            return this;
        }

        /** At most this many hits. */
        public Builder top(int top) {
            this.top = top;
            return this;
        }

        /** Only these documents. */
        public Builder documentIds(Set<String> ids) {
            this.documentIds = Set.copyOf(ids);
            return this;
        }

        /** Only documents carrying one of these tags. */
        public Builder tags(Set<String> tags) {
            this.tags = Set.copyOf(tags);
            return this;
        }

        /** The score threshold; {@code Double.NEGATIVE_INFINITY} keeps every hit. */
        public Builder minScore(double minScore) {
            this.minScore = minScore;
            return this;
        }

        /** The fusion method. */
        public Builder fusion(Fusion fusion) {
            this.fusion = fusion;
            return this;
        }

        /** The request; throws {@link KnowledgeException} naming the first bad value. */
        public SearchRequest build() {
            return new SearchRequest(bases, query, top, documentIds, tags, minScore, fusion);
        }
    }
}

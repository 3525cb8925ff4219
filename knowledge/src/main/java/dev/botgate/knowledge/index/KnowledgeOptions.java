package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.ChunkingOptions;
import dev.botgate.knowledge.ingest.ReadLimits;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Settings of {@link KnowledgeBases}. Build with {@link #builder()}; {@link #defaults()} are the measured defaults.
 *
 * @param chunking               how the reader cuts passages
 * @param readLimits             file size and zip limits for imports
 * @param candidates             how many hits each retriever (BM25, HNSW) is asked for before fusion; HNSW needs
 *                               about 50 to find the true top 10 (STACK.md)
 * @param directAnswerSimilarity a Q&amp;A hit is a direct answer when the query's cosine similarity to its question
 *                               (or one of its phrasings) reaches this
 * @param keywordWeight          the fixed keyword weight of {@link Fusion#WEIGHTED}
 * @param commitChunks           an import commits after at least this many chunks (always whole documents), so a
 *                               crash loses at most this much work
 * @param clock                  time source for import times and job progress
 * @param importThreads          makes the import thread (the gateway gives it a lower OS priority than request
 *                               handling)
 */
public record KnowledgeOptions(ChunkingOptions chunking, ReadLimits readLimits, int candidates,
                               double directAnswerSimilarity, double keywordWeight, int commitChunks, Clock clock,
                               ThreadFactory importThreads) {
    public KnowledgeOptions {
        Objects.requireNonNull(importThreads, "importThreads");
        Objects.requireNonNull(chunking, "chunking");
        Objects.requireNonNull(readLimits, "readLimits");
        Objects.requireNonNull(clock, "clock");
        if (candidates < 10 || candidates > 1000) {
            throw new IllegalArgumentException("candidates must be 10..1000, got " + candidates);
        }
        if (!(directAnswerSimilarity > 0 && directAnswerSimilarity <= 1)) {
            throw new IllegalArgumentException("direct-answer similarity must be in (0, 1], got "
                    + directAnswerSimilarity);
        }
        if (!(keywordWeight >= 0 && keywordWeight <= 10)) {
            throw new IllegalArgumentException("keyword weight must be 0..10, got " + keywordWeight);
        }
        if (commitChunks < 1) {
            throw new IllegalArgumentException("commit interval must be at least 1 chunk, got " + commitChunks);
        }
    }

    /** The defaults. */
    public static KnowledgeOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link KnowledgeOptions}; each setter checks its value in {@link #build()}. */
    public static final class Builder {
        private ChunkingOptions chunking = ChunkingOptions.defaults();
        private ReadLimits readLimits = ReadLimits.defaults();
        private int candidates = 50;
        private double directAnswerSimilarity = 0.75;
        private double keywordWeight = 1.0;
        private int commitChunks = 256;
        private Clock clock = Clock.systemUTC();
        private ThreadFactory importThreads = Thread.ofPlatform().name("botgate-import").daemon(true).factory();

        private Builder() {
        }

        /** How passages are cut. */
        public Builder chunking(ChunkingOptions chunking) {
            this.chunking = chunking;
            return this;
        }

        /** Import size limits. */
        public Builder readLimits(ReadLimits readLimits) {
            this.readLimits = readLimits;
            return this;
        }

        /** Hits asked of each retriever before fusion. */
        public Builder candidates(int candidates) {
            this.candidates = candidates;
            return this;
        }

        /** Question similarity from which a Q&amp;A hit is a direct answer. */
        public Builder directAnswerSimilarity(double similarity) {
            this.directAnswerSimilarity = similarity;
            return this;
        }

        /** Keyword weight of {@link Fusion#WEIGHTED}. */
        public Builder keywordWeight(double weight) {
            this.keywordWeight = weight;
            return this;
        }

        /** Chunks per import commit. */
        public Builder commitChunks(int chunks) {
            this.commitChunks = chunks;
            return this;
        }

        /** The clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Makes the import thread. */
        public Builder importThreads(ThreadFactory factory) {
            this.importThreads = factory;
            return this;
        }

        /** The options. */
        public KnowledgeOptions build() {
            return new KnowledgeOptions(chunking, readLimits, candidates, directAnswerSimilarity, keywordWeight,
                    commitChunks, clock, importThreads);
        }
    }
}

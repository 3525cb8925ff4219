package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Hybrid search over one knowledge base: BM25 (Chinese text, identifiers, user-dictionary words) and HNSW over the
 * vectors, each asked for {@code candidates} hits; then, for every candidate of either list, the exact cosine
 * similarity and the exact BM25 score, fused as the request says.
 *
 * <p>Keyword evidence is BM25 divided by the most the query's terms could score (Lucene's BM25 gives a term at
 * most its idf), so it reads as "how much of the query, weighted by rarity, this chunk contains", 0..1, whatever the
 * query. The adaptive fusion (see {@link Fusion#ADAPTIVE}) adds it to the cosine similarity with a weight that grows
 * with the best keyword evidence among the candidates: when some chunk contains most of the query's rare words, the
 * words decide; when none does, the query is a paraphrase and meaning decides.
 */
final class HybridSearcher {
    static final int RRF_K = 60;
    /**
     * Adaptive keyword weight: 0 while the best chunk holds under 10 % of the query's keyword weight (a paraphrase:
     * FAQ questions, median 0.16), rising linearly to 1 at 40 % (questions that reuse the document's words: CMRC,
     * median 0.43). Chosen on bench/RESULTS.md's two sets, inside a plateau (0.05..0.15 / 0.35..0.5 / 1..1.5).
     */
    static final double ADAPTIVE_ZERO = 0.1;
    static final double ADAPTIVE_FULL = 0.4;
    static final double ADAPTIVE_MAX_WEIGHT = 1.0;

    private final KnowledgeOptions options;

    HybridSearcher(KnowledgeOptions options) {
        this.options = options;
    }

    /** Scored hits of one base, best first, already cut to the request's threshold and top. */
    List<SearchHit> search(KnowledgeBase base, SearchRequest request, float[] queryVector) {
        IndexSearcher searcher = base.acquire();
        try {
            return search(base, searcher, request, queryVector);
        } catch (IOException e) {
            throw new KnowledgeException("knowledge base '" + base.name() + "': search failed: " + e, e);
        } finally {
            base.release(searcher);
        }
    }

    private List<SearchHit> search(KnowledgeBase base, IndexSearcher searcher, SearchRequest request,
                                   float[] queryVector) throws IOException {
        Analyzers analyzers = base.analyzers();
        String text = request.query().strip();
        Query filter = filter(request);

        BooleanQuery.Builder should = new BooleanQuery.Builder();
        Query chinese = new QueryBuilder(analyzers.chineseQuery()).createBooleanQuery(ChunkFields.TEXT, text);
        if (chinese != null) {
            should.add(chinese, BooleanClause.Occur.SHOULD);
        }
        for (String t : terms(analyzers.identifiers(), text)) {
            should.add(new TermQuery(new Term(ChunkFields.IDENT, t)), BooleanClause.Occur.SHOULD);
        }
        for (String t : terms(analyzers.dictionaryWords(), text)) {
            should.add(new TermQuery(new Term(ChunkFields.DICT, t)), BooleanClause.Occur.SHOULD);
        }
        BooleanQuery keywords = should.build();
        Query keywordQuery = filter == null ? keywords : new BooleanQuery.Builder()
                .add(keywords, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
        TermEvidence evidence = TermEvidence.of(keywords, searcher);

        int k = options.candidates();
        Map<Integer, Candidate> candidates = new TreeMap<>();
        if (!keywords.clauses().isEmpty()) {
            ScoreDoc[] bm25 = searcher.search(keywordQuery, k).scoreDocs;
            for (int i = 0; i < bm25.length; i++) {
                candidates.computeIfAbsent(bm25[i].doc, Candidate::new).keywordRank = i + 1;
            }
        }
        ScoreDoc[] knn = searcher.search(new KnnFloatVectorQuery(ChunkFields.VECTOR, queryVector, k, filter), k)
                .scoreDocs;
        for (int i = 0; i < knn.length; i++) {
            candidates.computeIfAbsent(knn[i].doc, Candidate::new).vectorRank = i + 1;
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        measure(base, searcher, keywords, evidence, queryVector, candidates);

        double best = 0;
        for (Candidate c : candidates.values()) {
            best = Math.max(best, c.keyword);
        }
        double adaptiveWeight = ADAPTIVE_MAX_WEIGHT
                * Math.clamp((best - ADAPTIVE_ZERO) / (ADAPTIVE_FULL - ADAPTIVE_ZERO), 0.0, 1.0);
        for (Candidate c : candidates.values()) {
            c.score = switch (request.fusion()) {
                case ADAPTIVE -> c.cosine + adaptiveWeight * c.keyword;
                case WEIGHTED -> c.cosine + options.keywordWeight() * c.keyword;
                case RRF -> rrf(c.keywordRank) + rrf(c.vectorRank);
                case KEYWORD -> c.keyword;
                case VECTOR -> c.cosine;
            };
        }
        List<Candidate> ranked = candidates.values().stream()
                .filter(c -> request.fusion() != Fusion.KEYWORD || c.keywordRank > 0)
                .filter(c -> c.score >= request.minScore())
                .sorted(Comparator.comparingDouble((Candidate c) -> c.score).reversed()
                        .thenComparingDouble(c -> -c.cosine))
                .limit(request.top())
                .toList();
        List<SearchHit> hits = new ArrayList<>(ranked.size());
        for (Candidate c : ranked) {
            hits.add(hit(base.name(), searcher.storedFields().document(c.doc), c, evidence.surfaceTerms()));
        }
        return hits;
    }

    private SearchHit hit(String base, Document d, Candidate c, Set<String> terms) {
        Chunk chunk = ChunkFields.chunk(d);
        boolean qa = chunk.kind() == Chunk.Kind.QA;
        String shown = qa ? chunk.answer() : chunk.text();
        boolean direct = qa && c.questionCosine >= options.directAnswerSimilarity();
        return new SearchHit(base, d.get(ChunkFields.CHUNK_ID), d.get(ChunkFields.DOC_ID), d.get(ChunkFields.TITLE),
                d.get(ChunkFields.SOURCE), chunk.headingPath(), chunk.page(), chunk.kind(), shown,
                MatchHighlighter.highlight(shown, terms), c.score, c.keyword, c.cosine, c.keywordRank, c.vectorRank,
                direct, qa ? chunk.questions().getFirst() : "", chunk.answer());
    }

    private static double rrf(int rank) {
        return rank > 0 ? 1.0 / (RRF_K + rank) : 0;
    }

    /**
     * Exact BM25, keyword evidence and cosine similarity for every candidate, leaf by leaf in doc order (the
     * iterators only move forward, so each leaf's postings, vectors and question vectors are read once).
     */
    private static void measure(KnowledgeBase base, IndexSearcher searcher, BooleanQuery keywords,
                                TermEvidence evidence, float[] queryVector, Map<Integer, Candidate> candidates)
            throws IOException {
        Weight weight = keywords.clauses().isEmpty() ? null
                : searcher.createWeight(searcher.rewrite(keywords), ScoreMode.COMPLETE, 1f);
        int dimension = queryVector.length;
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        int leafIndex = 0;
        LeafReaderContext leaf = null;
        Scorer scorer = null;
        FloatVectorValues vectors = null;
        KnnVectorValues.DocIndexIterator vectorDocs = null;
        BinaryDocValues questionVectors = null;
        for (Candidate c : candidates.values()) {
            while (leaf == null || c.doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(leafIndex++);
                scorer = weight == null ? null : weight.scorer(leaf);
                vectors = leaf.reader().getFloatVectorValues(ChunkFields.VECTOR);
                vectorDocs = vectors == null ? null : vectors.iterator();
                questionVectors = leaf.reader().getBinaryDocValues(ChunkFields.QUESTION_VECTORS);
            }
            int local = c.doc - leaf.docBase;
            if (scorer != null) {
                DocIdSetIterator it = scorer.iterator();
                int at = it.docID() < local ? it.advance(local) : it.docID();
                if (at == local) {
                    c.bm25 = scorer.score();
                }
            }
            c.keyword = evidence.bound() > 0 ? Math.min(1.0, c.bm25 / evidence.bound()) : 0;
            if (vectorDocs != null) {
                int at = vectorDocs.docID() < local ? vectorDocs.advance(local) : vectorDocs.docID();
                if (at == local) {
                    c.cosine = dot(queryVector, vectors.vectorValue(vectorDocs.index()));
                }
            }
            if (questionVectors != null && questionVectors.advanceExact(local)) {
                for (float[] q : ChunkFields.unpack(questionVectors.binaryValue(), dimension)) {
                    c.questionCosine = Math.max(c.questionCosine, dot(queryVector, q));
                }
                c.cosine = Math.max(c.cosine, c.questionCosine);
            }
        }
    }

    private static Query filter(SearchRequest request) {
        if (request.documentIds().isEmpty() && request.tags().isEmpty()) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (!request.documentIds().isEmpty()) {
            b.add(new TermInSetQuery(ChunkFields.DOC_ID, request.documentIds().stream().map(BytesRef::new).toList()),
                    BooleanClause.Occur.FILTER);
        }
        if (!request.tags().isEmpty()) {
            b.add(new TermInSetQuery(ChunkFields.TAG, request.tags().stream().map(BytesRef::new).toList()),
                    BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    static List<String> terms(Analyzer analyzer, String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream("q", new StringReader(text))) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new KnowledgeException("cannot analyse the query: " + e.getMessage(), e);
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** One candidate chunk and its measurements; doc is the searcher-wide doc id. */
    private static final class Candidate {
        final int doc;
        int keywordRank = -1;
        int vectorRank = -1;
        double bm25;
        double keyword;
        double cosine;
        double questionCosine;
        double score;

        Candidate(int doc) {
            this.doc = doc;
        }
    }

    /**
     * The most the keyword query can score, summed over its term groups (a term, a synonym set, a phrase), each
     * at its BM25 maximum, the idf; and the surface terms, for highlighting.
     */
    record TermEvidence(double bound, Set<String> surfaceTerms) {
        static TermEvidence of(Query query, IndexSearcher searcher) throws IOException {
            IndexReader reader = searcher.getIndexReader();
            Map<String, CollectionStatistics> fieldStats = new HashMap<>();
            double[] bound = {0};
            Set<String> surface = new LinkedHashSet<>();
            IOException[] failure = {null};
            query.visit(new QueryVisitor() {
                @Override
                public void consumeTerms(Query q, Term... terms) {
                    try {
                        double group = 0;
                        for (Term t : terms) {
                            surface.add(t.text());
                            CollectionStatistics stats = fieldStats.computeIfAbsent(t.field(), f -> {
                                try {
                                    return searcher.collectionStatistics(f);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            });
                            double idf = stats == null ? 0 : idf(reader.docFreq(t), stats.docCount());
                            // A phrase scores the sum of its terms' idf; a synonym set at most its best term's.
                            group = q instanceof PhraseQuery ? group + idf : Math.max(group, idf);
                        }
                        bound[0] += group;
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }

                @Override
                public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                    return occur == BooleanClause.Occur.MUST_NOT ? EMPTY_VISITOR : this;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return new TermEvidence(bound[0], surface);
        }

        /** Lucene's BM25 idf. */
        static double idf(long docFreq, long docCount) {
            return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5));
        }
    }
}

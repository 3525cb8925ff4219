package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One knowledge base: a Lucene index in {@code <dir>/index}, its user dictionary ({@code userdict.txt}, one word a
 * line) and synonyms ({@code synonyms.txt}, Solr format) beside it. The embedding model's id and dimension are in
 * every commit's user data; an index made with another model is refused.
 */
final class KnowledgeBase implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KnowledgeBase.class.getName());
    static final String MODEL_KEY = "botgate.embedding.model";
    static final String DIMENSION_KEY = "botgate.embedding.dimension";
    static final String SCHEMA_KEY = "botgate.schema";
    static final String SCHEMA = "1";
    static final String USER_DICTIONARY_FILE = "userdict.txt";
    static final String SYNONYMS_FILE = "synonyms.txt";

    private final String name;
    private final Path dir;
    private final Embedder embedder;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Analyzers analyzers;
    /** Serialises writers so that check-then-write (dedupe) and commits do not interleave. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private KnowledgeBase(String name, Path dir, Embedder embedder, Directory directory, IndexWriter writer,
                          Analyzers analyzers) throws IOException {
        this.name = name;
        this.dir = dir;
        this.embedder = embedder;
        this.directory = directory;
        this.writer = writer;
        this.analyzers = analyzers;
        this.searchers = new SearcherManager(writer, null);
    }

    /** Opens (or with {@code create}, creates) the base in {@code dir}, checking the embedding model. */
    static KnowledgeBase open(String name, Path dir, Embedder embedder, boolean create) {
        Path indexDir = dir.resolve("index");
        Directory directory = null;
        try {
            if (!create && !Files.isDirectory(indexDir)) {
                throw new KnowledgeException("knowledge base '" + name + "' does not exist; create it first");
            }
            Files.createDirectories(indexDir);
            directory = FSDirectory.open(indexDir);
            if (DirectoryReader.indexExists(directory)) {
                checkModel(name, SegmentInfos.readLatestCommit(directory).getUserData(), embedder);
            }
            Analyzers analyzers = new Analyzers();
            loadSaved(name, dir.resolve(USER_DICTIONARY_FILE), "user dictionary", "dictionary",
                    UserDictionary.MAX_WORDS * (UserDictionary.MAX_WORD_CHARS + 2L),
                    lines -> analyzers.dictionary(UserDictionary.of(lines)));
            loadSaved(name, dir.resolve(SYNONYMS_FILE), "synonym list", "synonyms", Analyzers.MAX_SYNONYM_CHARS * 4L,
                    analyzers::synonyms);
            IndexWriterConfig config = new IndexWriterConfig(analyzers.indexAnalyzer())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(64);
            IndexWriter writer = new IndexWriter(directory, config);
            writer.setLiveCommitData(Map.of(MODEL_KEY, embedder.modelId(),
                    DIMENSION_KEY, Integer.toString(embedder.dimension()), SCHEMA_KEY, SCHEMA).entrySet());
            if (create) {
                writer.commit();
            }
            return new KnowledgeBase(name, dir, embedder, directory, writer, analyzers);
        } catch (IOException e) {
            closeQuietly(directory);
            throw new KnowledgeException("cannot open knowledge base '" + name + "' in " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(directory);
            throw e;
        }
    }

    /**
     * Applies a saved dictionary or synonym list. One that is too large or does not parse (saved by an older version
     * without bounds, or edited by hand) is skipped with one warning, and the base opens without it: a bad file must
     * never keep a base, or the server, from starting.
     */
    private static void loadSaved(String name, Path file, String what, String route, long maxBytes,
                                  java.util.function.Consumer<List<String>> apply) {
        String fix = "; the base opens without it. Fix the file, or replace the list with PUT /admin/kb/" + name
                + "/" + route;
        try {
            if (!Files.exists(file)) {
                return;
            }
            long size = Files.size(file);
            if (size > maxBytes) {
                LOG.log(System.Logger.Level.WARNING, "knowledge base '" + name + "': " + what + " " + file
                        + " skipped: " + size + " bytes, over the limit of " + maxBytes + fix);
                return;
            }
            apply.accept(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "knowledge base '" + name + "': " + what + " " + file + " skipped: "
                    + e.getMessage() + fix);
        }
    }

    /** The embedding model recorded in the base's last commit, if it has one. */
    static Optional<String> storedModel(Path dir) {
        Path indexDir = dir.resolve("index");
        if (!Files.isDirectory(indexDir)) {
            return Optional.empty();
        }
        try (Directory d = FSDirectory.open(indexDir)) {
            if (!DirectoryReader.indexExists(d)) {
                return Optional.empty();
            }
            return Optional.ofNullable(SegmentInfos.readLatestCommit(d).getUserData().get(MODEL_KEY));
        } catch (IOException e) {
            return Optional.empty(); // opening reports the problem properly
        }
    }

    private static void checkModel(String name, Map<String, String> data, Embedder embedder) {
        String model = data.get(MODEL_KEY);
        String dimension = data.get(DIMENSION_KEY);
        if (model == null || dimension == null) {
            throw new KnowledgeException("knowledge base '" + name + "' has no embedding model recorded, so it was "
                    + "not made by Botgate; delete it and import its documents again");
        }
        if (!model.equals(embedder.modelId()) || !dimension.equals(Integer.toString(embedder.dimension()))) {
            throw new KnowledgeException("knowledge base '" + name + "' was built with embedding model " + model
                    + " (" + dimension + " dimensions), but this server embeds with " + embedder.modelId() + " ("
                    + embedder.dimension() + " dimensions); its vectors cannot be compared. Run with " + model
                    + ", or delete the base and import its documents again");
        }
    }

    String name() {
        return name;
    }

    Embedder embedder() {
        return embedder;
    }

    Analyzers analyzers() {
        return analyzers;
    }

    IndexSearcher acquire() {
        try {
            return searchers.acquire();
        } catch (IOException e) {
            throw failure("read", e);
        }
    }

    void release(IndexSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw failure("read", e);
        }
    }

    ReentrantLock writeLock() {
        return writeLock;
    }

    BaseInfo info() {
        IndexSearcher searcher = acquire();
        try {
            int documents = searcher.count(new TermQuery(new Term(ChunkFields.TYPE, ChunkFields.TYPE_DOC)));
            int chunks = searcher.count(new TermQuery(new Term(ChunkFields.TYPE, ChunkFields.TYPE_CHUNK)));
            return new BaseInfo(name, documents, chunks, sizeOnDisk(), embedder.modelId(), embedder.dimension(), "");
        } catch (IOException e) {
            throw failure("read", e);
        } finally {
            release(searcher);
        }
    }

    private long sizeOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a segment merged away while we looked
                }
            }).sum();
        }
    }

    List<DocumentInfo> documents() {
        return records(new TermQuery(new Term(ChunkFields.TYPE, ChunkFields.TYPE_DOC))).stream()
                .map(ChunkFields::documentInfo)
                .sorted(Comparator.comparing(DocumentInfo::source))
                .toList();
    }

    Optional<DocumentInfo> document(String id) {
        return records(docQuery(id, ChunkFields.TYPE_DOC)).stream().findFirst().map(ChunkFields::documentInfo);
    }

    List<ChunkInfo> chunks(String id) {
        return records(docQuery(id, ChunkFields.TYPE_CHUNK)).stream()
                .map(d -> {
                    Chunk c = ChunkFields.chunk(d);
                    return new ChunkInfo(d.get(ChunkFields.CHUNK_ID), id, c.ordinal(), c.kind(), c.text(),
                            c.headingPath(), c.page(), c.questions(), c.answer());
                })
                .sorted(Comparator.comparingInt(ChunkInfo::ordinal))
                .toList();
    }

    private static BooleanQuery docQuery(String id, String type) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ChunkFields.DOC_ID, id)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(ChunkFields.TYPE, type)), BooleanClause.Occur.FILTER)
                .build();
    }

    private List<Document> records(org.apache.lucene.search.Query query) {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(query, Math.max(1, searcher.getIndexReader().maxDoc()));
            StoredFields stored = searcher.storedFields();
            List<Document> out = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                out.add(stored.document(sd.doc));
            }
            return out;
        } catch (IOException e) {
            throw failure("read", e);
        } finally {
            release(searcher);
        }
    }

    /**
     * Replaces the document's block (record and chunks) in one atomic update. Visible to searches at once, durable
     * at the next {@link #commit()}. Callers hold {@link #writeLock()}.
     */
    void write(DocumentInfo info, List<Chunk> chunks, float[][] vectors, float[][][] questionVectors) {
        try {
            writer.updateDocuments(new Term(ChunkFields.DOC_ID, info.id()),
                    ChunkFields.block(info, chunks, vectors, questionVectors));
        } catch (IOException e) {
            throw failure("write", e);
        }
    }

    boolean delete(String id) {
        writeLock.lock();
        try {
            boolean existed = document(id).isPresent();
            if (existed) {
                writer.deleteDocuments(new Term(ChunkFields.DOC_ID, id));
                commit();
            }
            return existed;
        } catch (IOException e) {
            throw failure("write", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Makes everything written so far durable, then visible to new searches. */
    void commit() {
        try {
            writer.commit();
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw failure("commit", e);
        }
    }

    void userDictionary(List<String> words) {
        UserDictionary dictionary = UserDictionary.of(words);
        writeLock.lock();
        try {
            writeLines(dir.resolve(USER_DICTIONARY_FILE), dictionary.words());
            analyzers.dictionary(dictionary);
            reindex();
        } finally {
            writeLock.unlock();
        }
    }

    void synonyms(List<String> lines) {
        writeLock.lock();
        try {
            analyzers.synonyms(lines);
            writeLines(dir.resolve(SYNONYMS_FILE), analyzers.synonyms());
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Rewrites every document from what the index stores (text and vectors, no re-embedding), so that a new user
     * dictionary applies to the documents already there.
     */
    private void reindex() {
        IndexSearcher searcher = acquire();
        try {
            Map<String, List<Document>> chunksByDoc = new HashMap<>();
            Map<String, List<float[]>> vectorsByDoc = new HashMap<>();
            Map<String, List<float[][]>> questionsByDoc = new HashMap<>();
            TopDocs top = searcher.search(new TermQuery(new Term(ChunkFields.TYPE, ChunkFields.TYPE_CHUNK)),
                    Math.max(1, searcher.getIndexReader().maxDoc()));
            StoredFields stored = searcher.storedFields();
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            for (ScoreDoc sd : top.scoreDocs) {
                Document d = stored.document(sd.doc);
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                int local = sd.doc - leaf.docBase;
                String id = d.get(ChunkFields.DOC_ID);
                chunksByDoc.computeIfAbsent(id, k -> new ArrayList<>()).add(d);
                vectorsByDoc.computeIfAbsent(id, k -> new ArrayList<>()).add(vector(leaf, local));
                questionsByDoc.computeIfAbsent(id, k -> new ArrayList<>()).add(questionVectors(leaf, local));
            }
            for (DocumentInfo info : documents()) {
                List<Document> docs = chunksByDoc.getOrDefault(info.id(), List.of());
                List<Chunk> chunks = docs.stream().map(ChunkFields::chunk).toList();
                write(info, chunks, vectorsByDoc.getOrDefault(info.id(), List.of()).toArray(float[][]::new),
                        questionsByDoc.getOrDefault(info.id(), List.of()).toArray(float[][][]::new));
            }
            commit();
        } catch (IOException e) {
            throw failure("re-index", e);
        } finally {
            release(searcher);
        }
    }

    /** A document's chunks as stored, with their vectors, in ordinal order. */
    record StoredChunks(List<Chunk> chunks, float[][] vectors, float[][][] questionVectors) {
    }

    /** Reads a document's chunks and vectors back from the index (no re-embedding). */
    StoredChunks stored(String documentId) {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(docQuery(documentId, ChunkFields.TYPE_CHUNK),
                    Math.max(1, searcher.getIndexReader().maxDoc()));
            StoredFields stored = searcher.storedFields();
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            record Row(Chunk chunk, float[] vector, float[][] questions) {
            }
            List<Row> rows = new ArrayList<>();
            for (ScoreDoc sd : top.scoreDocs) {
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                int local = sd.doc - leaf.docBase;
                rows.add(new Row(ChunkFields.chunk(stored.document(sd.doc)), vector(leaf, local),
                        questionVectors(leaf, local)));
            }
            rows.sort(Comparator.comparingInt(r -> r.chunk().ordinal()));
            return new StoredChunks(rows.stream().map(Row::chunk).toList(),
                    rows.stream().map(Row::vector).toArray(float[][]::new),
                    rows.stream().map(Row::questions).toArray(float[][][]::new));
        } catch (IOException e) {
            throw failure("read", e);
        } finally {
            release(searcher);
        }
    }

    float[] vector(LeafReaderContext leaf, int doc) throws IOException {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(ChunkFields.VECTOR);
        if (values == null) {
            return new float[embedder.dimension()];
        }
        KnnVectorValues.DocIndexIterator it = values.iterator();
        if (it.advance(doc) != doc) {
            return new float[embedder.dimension()];
        }
        return values.vectorValue(it.index()).clone();
    }

    float[][] questionVectors(LeafReaderContext leaf, int doc) throws IOException {
        BinaryDocValues values = leaf.reader().getBinaryDocValues(ChunkFields.QUESTION_VECTORS);
        if (values == null || !values.advanceExact(doc)) {
            return null;
        }
        return ChunkFields.unpack(values.binaryValue(), embedder.dimension());
    }

    private KnowledgeException failure(String what, IOException e) {
        return new KnowledgeException("knowledge base '" + name + "': " + what + " failed: " + e
                + "; check the disk under " + dir, e);
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
        } catch (IOException e) {
            throw failure("close", e);
        } finally {
            closeQuietly(directory);
        }
    }

    /** Closes without committing: what was not committed is lost, as after a crash. */
    void rollback() {
        try {
            searchers.close();
            writer.rollback();
        } catch (IOException e) {
            throw failure("close", e);
        } finally {
            closeQuietly(directory);
        }
    }

    private void writeLines(Path file, List<String> lines) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw failure("saving " + file.getFileName(), e);
        }
    }

    private static void closeQuietly(Directory directory) {
        if (directory != null) {
            try {
                directory.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one to report
            }
        }
    }
}

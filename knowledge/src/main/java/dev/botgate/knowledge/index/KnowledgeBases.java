package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;
import dev.botgate.knowledge.ingest.Document;
import dev.botgate.knowledge.ingest.DocumentReader;
import dev.botgate.knowledge.ingest.ReadListener;
import dev.botgate.knowledge.ingest.Skipped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * All knowledge bases under one root directory ({@code $BOTGATE_HOME/knowledge}), each in {@code root/<name>}:
 * create, list, delete; documents and their chunks; import jobs; hybrid search. The bots and the admin search test
 * call the same {@link #search(SearchRequest)}.
 *
 * <p>Imports run one at a time on a background thread and commit whole documents only, at least every
 * {@link KnowledgeOptions#commitChunks()} chunks: after a crash the index holds whole documents, and running the
 * same import again skips what is there (same source, same content hash) and finishes the rest.
 *
 * <p>Thread-safe. One instance owns the root: Lucene's write lock refuses a second process.
 */
public final class KnowledgeBases implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_-]{0,63}");
    private static final int JOBS_KEPT = 100;

    private final Path root;
    private final Embedder embedder;
    private final Function<String, Optional<Embedder>> others;
    private final KnowledgeOptions options;
    private final DocumentReader reader;
    private final HybridSearcher searcher;
    private final Map<String, KnowledgeBase> open = new HashMap<>();
    private final Map<String, ImportRun> jobs = new LinkedHashMap<>();
    private final ExecutorService importer;

    /**
     * @param root     the directory holding one folder per knowledge base; created when missing
     * @param embedder the embedding model; every base must have been built with the same one
     * @param options  settings
     */
    public KnowledgeBases(Path root, Embedder embedder, KnowledgeOptions options) {
        this(root, embedder, model -> Optional.empty(), options);
    }

    /**
     * @param root     the directory holding one folder per knowledge base; created when missing
     * @param embedder the built-in embedding model, used by bases created without another
     * @param others   other embedding models by name (e.g. served by a remote engine), for bases created with one
     * @param options  settings
     */
    public KnowledgeBases(Path root, Embedder embedder, Function<String, Optional<Embedder>> others,
                          KnowledgeOptions options) {
        this.others = others;
        this.root = root;
        this.importer = Executors.newSingleThreadExecutor(options.importThreads());
        this.embedder = embedder;
        this.options = options;
        this.reader = new DocumentReader(options.chunking(), options.readLimits());
        this.searcher = new HybridSearcher(options);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new KnowledgeException("cannot create the knowledge directory " + root + ": " + e, e);
        }
    }

    /** The embedding model, to serve {@code /api/embed} and {@code /v1/embeddings} with the same vectors. */
    public Embedder embedder() {
        return embedder;
    }

    /** Creates an empty knowledge base; refuses a bad or taken name. */
    public synchronized BaseInfo create(String name) {
        return create(name, embedder.modelId());
    }

    /**
     * Creates an empty knowledge base whose passages are embedded with the named model: the built-in one, or one of
     * the others given at construction. The model's name and dimension are stored with the base and checked whenever
     * it is opened.
     */
    public synchronized BaseInfo create(String name, String embeddingModel) {
        checkName(name);
        Path dir = root.resolve(name);
        if (Files.exists(dir)) {
            throw new KnowledgeException("knowledge base '" + name + "' already exists");
        }
        Embedder chosen = embedderFor(embeddingModel).orElseThrow(() -> new KnowledgeException("embedding model '"
                + embeddingModel + "' is not available: use the built-in " + embedder.modelId() + " or a model an "
                + "engine serves (engines: in the configuration)"));
        KnowledgeBase base = KnowledgeBase.open(name, dir, chosen, true);
        open.put(name, base);
        return base.info();
    }

    /** Every knowledge base, by name; one that cannot be opened is listed with its {@link BaseInfo#problem()}. */
    public synchronized List<BaseInfo> list() {
        List<BaseInfo> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d.resolve("index"))).sorted().toList()) {
                String name = dir.getFileName().toString();
                if (NAME.matcher(name).matches()) {
                    try {
                        out.add(base(name).info());
                    } catch (KnowledgeException e) {
                        out.add(new BaseInfo(name, 0, 0, 0, "", 0, e.getMessage()));
                    }
                }
            }
        } catch (IOException e) {
            throw new KnowledgeException("cannot list " + root + ": " + e, e);
        }
        return out;
    }

    /** One knowledge base. */
    public BaseInfo info(String name) {
        return base(name).info();
    }

    /** Deletes a knowledge base and everything in it; refused while an import into it is queued or running. */
    public synchronized void delete(String name) {
        checkName(name);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new KnowledgeException("knowledge base '" + name + "' does not exist");
        }
        synchronized (jobs) {
            for (ImportRun run : jobs.values()) {
                if (run.base().equals(name) && run.active()) {
                    throw new KnowledgeException("import job " + run.id() + " is still writing to '" + name
                            + "'; wait for it to finish, then delete");
                }
            }
        }
        KnowledgeBase base = open.remove(name);
        if (base != null) {
            base.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new KnowledgeException("cannot delete " + dir + ": " + e + "; remove it by hand", e);
        }
    }

    /** The documents of a base, by source. */
    public List<DocumentInfo> documents(String base) {
        return base(base).documents();
    }

    /** One document. */
    public Optional<DocumentInfo> document(String base, String documentId) {
        return base(base).document(documentId);
    }

    /** A document's chunks in order; empty when there is no such document. */
    public List<ChunkInfo> chunks(String base, String documentId) {
        return base(base).chunks(documentId);
    }

    /** Deletes a document and its chunks; false when there was none. */
    public boolean deleteDocument(String base, String documentId) {
        return base(base).delete(documentId);
    }

    /** Words kept whole at index and query time, one a line (支付宝). */
    public List<String> userDictionary(String base) {
        return base(base).analyzers().dictionary().words();
    }

    /**
     * Replaces the user dictionary and re-indexes the base's documents with it (from stored text and vectors; no
     * re-embedding). Refuses words with spaces, shorter than 2 or longer than 32 characters.
     */
    public void userDictionary(String base, List<String> words) {
        base(base).userDictionary(words);
    }

    /** The synonym rules, Solr format. */
    public List<String> synonyms(String base) {
        return base(base).analyzers().synonyms();
    }

    /**
     * Replaces the synonym rules: {@code 退款,退钱} (equivalent) or {@code 退钱 => 退款}, one a line. They apply to
     * queries at once, so no re-indexing is needed.
     */
    public void synonyms(String base, List<String> rules) {
        base(base).synonyms(rules);
    }

    /**
     * Writes one document now, embedding its chunks: nothing if the same source is there with the same hash,
     * otherwise its chunks replace the old ones in one commit.
     */
    public WriteResult write(String base, Document document, Set<String> tags) {
        KnowledgeBase kb = base(base);
        kb.writeLock().lock();
        try {
            WriteResult result = writeGroup(kb, List.of(document), tags, null).getFirst();
            kb.commit();
            return result;
        } finally {
            kb.writeLock().unlock();
        }
    }

    /**
     * Adds similar phrasings to a Q&amp;A entry, at once and without re-importing: the entry's text and vector are
     * embedded again, each new phrasing is embedded on its own (so a question worded that way matches the entry
     * directly), and the document is rewritten from what the index stores, its other chunks untouched. The
     * document keeps its content hash, so importing the same unchanged file again keeps the phrasings; a changed
     * file replaces them.
     *
     * @param chunkId   {@code <documentId>#<ordinal>} of a Q&amp;A chunk (a search hit's {@code chunkId})
     * @param phrasings questions to add; ones the entry already has are skipped
     * @return the entry as now stored
     * @throws KnowledgeException when there is no such chunk, or it is a passage
     */
    public ChunkInfo addPhrasings(String base, String chunkId, List<String> phrasings) {
        KnowledgeBase kb = base(base);
        int hash = chunkId.lastIndexOf('#');
        if (hash <= 0) {
            throw new KnowledgeException("'" + chunkId + "' is not a chunk id (<document id>#<ordinal>)");
        }
        String documentId = chunkId.substring(0, hash);
        kb.writeLock().lock();
        try {
            DocumentInfo info = kb.document(documentId).orElseThrow(() -> new KnowledgeException("no entry '"
                    + chunkId + "' in knowledge base '" + base + "'"));
            KnowledgeBase.StoredChunks stored = kb.stored(documentId);
            int at = -1;
            for (int i = 0; i < stored.chunks().size(); i++) {
                if (ChunkFields.chunkId(documentId, stored.chunks().get(i).ordinal()).equals(chunkId)) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new KnowledgeException("no entry '" + chunkId + "' in knowledge base '" + base + "'");
            }
            Chunk old = stored.chunks().get(at);
            if (old.kind() != Chunk.Kind.QA) {
                throw new KnowledgeException("'" + chunkId + "' is a passage, not a Q&A entry: phrasings can only "
                        + "be added to Q&A entries; write a new entry instead");
            }
            java.util.Set<String> known = new java.util.HashSet<>();
            old.questions().forEach(q -> known.add(q.strip().toLowerCase(java.util.Locale.ROOT)));
            List<String> added = new ArrayList<>();
            for (String p : phrasings) {
                String q = p.strip();
                if (!q.isEmpty() && known.add(q.toLowerCase(java.util.Locale.ROOT))) {
                    added.add(q);
                }
            }
            if (added.isEmpty()) {
                return chunkInfo(documentId, old);
            }
            List<String> questions = new ArrayList<>(old.questions());
            questions.addAll(added);
            // The stored text starts with the questions (the chunker's layout); the phrasings join them there, so
            // a text cut to the token bound stays cut the same way.
            String prefix = String.join("\n", old.questions());
            String text = old.text().startsWith(prefix)
                    ? prefix + "\n" + String.join("\n", added) + old.text().substring(prefix.length())
                    : String.join("\n", questions) + "\n" + old.answer();
            Chunk updated = new Chunk(old.ordinal(), Chunk.Kind.QA, text, old.headingPath(), old.page(), questions,
                    old.answer());
            List<String> texts = new ArrayList<>();
            texts.add(embeddingText(updated));
            texts.addAll(added);
            float[][] fresh = kb.embedder().embed(texts);
            List<Chunk> chunks = new ArrayList<>(stored.chunks());
            chunks.set(at, updated);
            float[][] vectors = stored.vectors().clone();
            vectors[at] = fresh[0];
            float[][][] questionVectors = stored.questionVectors().clone();
            float[][] oldQuestions = questionVectors[at] == null ? new float[0][] : questionVectors[at];
            float[][] allQuestions = java.util.Arrays.copyOf(oldQuestions, oldQuestions.length + added.size());
            System.arraycopy(fresh, 1, allQuestions, oldQuestions.length, added.size());
            questionVectors[at] = allQuestions;
            kb.write(info, chunks, vectors, questionVectors);
            kb.commit();
            return chunkInfo(documentId, updated);
        } finally {
            kb.writeLock().unlock();
        }
    }

    /**
     * Writes one new Q&amp;A entry as a document of its own ({@code source}, e.g. {@code review/17}), searchable at
     * once.
     *
     * @return the entry as stored
     */
    public ChunkInfo addEntry(String base, String source, String title, String question, String answer,
                              Set<String> tags) {
        if (question.isBlank() || answer.isBlank()) {
            throw new KnowledgeException("a Q&A entry needs a question and an answer");
        }
        Chunk chunk = new Chunk(0, Chunk.Kind.QA, question.strip() + "\n" + answer.strip(), List.of(), 0,
                List.of(question.strip()), answer.strip());
        String hash;
        try {
            hash = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest((question.strip() + "\n" + answer.strip()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        write(base, new Document(title, source, hash, List.of(chunk)), tags);
        return chunkInfo(ChunkFields.documentId(source), chunk);
    }

    private static ChunkInfo chunkInfo(String documentId, Chunk c) {
        return new ChunkInfo(ChunkFields.chunkId(documentId, c.ordinal()), documentId, c.ordinal(), c.kind(),
                c.text(), c.headingPath(), c.page(), c.questions(), c.answer());
    }

    /**
     * Starts importing files, folders and zips into {@code base}; each file becomes a document. Nothing under this
     * instance's root (the indexes) is read; see {@link #startImport(String, List, Set, Set)}.
     */
    public ImportJob startImport(String base, List<Path> paths, Set<String> tags) {
        return startImport(base, paths, tags, Set.of());
    }

    /**
     * Starts importing files, folders and zips into {@code base}, reading nothing inside {@code excluded} (such as the
     * server's data directory) or under this instance's root. Paths are resolved to their real paths, and links that
     * lead out of a folder are skipped with a reason, never followed ({@link DocumentReader#readAll(List, Set,
     * ReadListener)}).
     */
    public ImportJob startImport(String base, List<Path> paths, Set<String> tags, Set<Path> excluded) {
        if (paths.isEmpty()) {
            throw new KnowledgeException("name at least one file or folder to import");
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new KnowledgeException("nothing to import at " + p + "; check the path");
            }
        }
        List<Path> copy = List.copyOf(paths);
        Set<Path> fence = new java.util.HashSet<>(excluded);
        fence.add(root);
        return submit(base, listener -> reader.readAll(copy, Set.copyOf(fence), listener), tags);
    }

    /** Starts importing uploaded files into {@code base}; a file that cannot be read is skipped with its reason. */
    public ImportJob startUpload(String base, List<Upload> files, Set<String> tags) {
        if (files.isEmpty()) {
            throw new KnowledgeException("upload at least one file");
        }
        List<Upload> copy = List.copyOf(files);
        return submit(base, listener -> {
            listener.total(copy.size());
            for (Upload file : copy) {
                Document document;
                try {
                    document = reader.read(file.fileName(), file.content());
                } catch (RuntimeException e) {
                    listener.skipped(new Skipped(file.fileName(), e.getMessage() == null ? e.toString()
                            : e.getMessage()));
                    continue;
                }
                listener.document(document);
            }
        }, tags);
    }

    /** A job's progress. */
    public Optional<ImportJob> job(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id)).map(ImportRun::snapshot);
        }
    }

    /** The recent jobs, oldest first. */
    public List<ImportJob> jobs() {
        synchronized (jobs) {
            return jobs.values().stream().map(ImportRun::snapshot).toList();
        }
    }

    /** Hybrid search over the request's bases; hits of several bases are merged by score. */
    public List<SearchHit> search(SearchRequest request) {
        List<KnowledgeBase> bases = request.bases().stream().map(this::base).toList();
        // Bases made with different embedding models each get the query embedded by their own model.
        Map<Embedder, float[]> queries = new HashMap<>();
        List<SearchHit> hits = new ArrayList<>();
        for (KnowledgeBase base : bases) {
            float[] query = queries.computeIfAbsent(base.embedder(), e -> e.embedQuery(request.query().strip()));
            hits.addAll(searcher.search(base, request, query));
        }
        if (bases.size() > 1) {
            hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        }
        return hits.size() > request.top() ? List.copyOf(hits.subList(0, request.top())) : hits;
    }

    ImportJob submit(String base, DocumentSource source, Set<String> tags) {
        base(base); // refuse an unknown base now, not in the job
        Set<String> jobTags = Set.copyOf(tags);
        ImportRun run = new ImportRun(UUID.randomUUID().toString(), base, options.clock());
        synchronized (jobs) {
            jobs.put(run.id(), run);
            if (jobs.size() > JOBS_KEPT) {
                jobs.entrySet().removeIf(e -> !e.getValue().active() && jobs.size() > JOBS_KEPT);
            }
        }
        importer.execute(() -> runImport(run, source, jobTags));
        return run.snapshot();
    }

    private void runImport(ImportRun run, DocumentSource source, Set<String> tags) {
        run.running();
        try {
            KnowledgeBase kb = base(run.base());
            List<Document> pending = new ArrayList<>();
            int[] pendingChunks = {0};
            source.read(new ReadListener() {
                @Override
                public void total(int files) {
                    run.total(files);
                }

                @Override
                public void document(Document document) {
                    Optional<DocumentInfo> existing = kb.document(ChunkFields.documentId(document.source()));
                    if (existing.isPresent() && existing.get().contentHash().equals(document.contentHash())) {
                        run.written(WriteResult.UNCHANGED, 0);
                    } else {
                        pending.add(document);
                        pendingChunks[0] += document.chunks().size();
                        if (pendingChunks[0] >= options.commitChunks()) {
                            flush(kb, pending, tags, run);
                            pendingChunks[0] = 0;
                        }
                    }
                    run.fileDone();
                }

                @Override
                public void skipped(Skipped skipped) {
                    run.skipped(skipped);
                }
            });
            flush(kb, pending, tags, run);
            run.done();
        } catch (RuntimeException e) {
            run.failed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Embeds and writes whole documents, then commits them together. */
    private void flush(KnowledgeBase kb, List<Document> pending, Set<String> tags, ImportRun run) {
        if (pending.isEmpty()) {
            return;
        }
        kb.writeLock().lock();
        try {
            writeGroup(kb, pending, tags, run);
            kb.commit();
        } finally {
            kb.writeLock().unlock();
        }
        pending.clear();
    }

    /** Writes documents (caller holds the write lock and commits); one embedding call for all their texts. */
    private List<WriteResult> writeGroup(KnowledgeBase kb, List<Document> documents, Set<String> tags,
                                         ImportRun run) {
        List<String> texts = new ArrayList<>();
        List<Document> changed = new ArrayList<>();
        List<WriteResult> results = new ArrayList<>();
        for (Document d : documents) {
            Optional<DocumentInfo> existing = kb.document(ChunkFields.documentId(d.source()));
            if (existing.isPresent() && existing.get().contentHash().equals(d.contentHash())) {
                results.add(WriteResult.UNCHANGED);
                continue;
            }
            results.add(existing.isPresent() ? WriteResult.REPLACED : WriteResult.ADDED);
            changed.add(d);
            for (Chunk c : d.chunks()) {
                texts.add(embeddingText(c));
                texts.addAll(c.kind() == Chunk.Kind.QA ? c.questions() : List.of());
            }
        }
        float[][] vectors = texts.isEmpty() ? new float[0][] : kb.embedder().embed(texts);
        int next = 0;
        int r = 0;
        for (Document d : changed) {
            while (results.get(r) == WriteResult.UNCHANGED) {
                r++;
            }
            WriteResult result = results.get(r++);
            int n = d.chunks().size();
            float[][] chunkVectors = new float[n][];
            float[][][] questionVectors = new float[n][][];
            for (int i = 0; i < n; i++) {
                Chunk c = d.chunks().get(i);
                chunkVectors[i] = vectors[next++];
                if (c.kind() == Chunk.Kind.QA) {
                    questionVectors[i] = new float[c.questions().size()][];
                    for (int q = 0; q < c.questions().size(); q++) {
                        questionVectors[i][q] = vectors[next++];
                    }
                }
            }
            DocumentInfo info = new DocumentInfo(ChunkFields.documentId(d.source()), d.title(), d.source(),
                    d.contentHash(), options.clock().instant(), tags, n);
            kb.write(info, d.chunks(), chunkVectors, questionVectors);
            if (run != null) {
                run.written(result, n);
            }
        }
        return results;
    }

    /** Passages are embedded with their heading path, which often names what a paragraph is about. */
    private static String embeddingText(Chunk chunk) {
        return chunk.kind() == Chunk.Kind.QA ? chunk.text() : ChunkFields.searchableText(chunk);
    }

    private synchronized KnowledgeBase base(String name) {
        checkName(name);
        KnowledgeBase base = open.get(name);
        if (base == null) {
            Embedder e = KnowledgeBase.storedModel(root.resolve(name)).flatMap(this::embedderFor).orElse(embedder);
            base = KnowledgeBase.open(name, root.resolve(name), e, false);
            open.put(name, base);
        }
        return base;
    }

    private Optional<Embedder> embedderFor(String model) {
        return model.isEmpty() || model.equals(embedder.modelId()) ? Optional.of(embedder) : others.apply(model);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KnowledgeException("'" + name + "' is not a valid knowledge base name: use 1-64 letters, "
                    + "digits, '-' or '_' (Chinese characters are fine), starting with a letter, digit or '_'");
        }
    }

    /** Stops the import thread (a running import stops between commits) and closes every base. */
    @Override
    public synchronized void close() {
        importer.shutdownNow();
        try {
            importer.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (KnowledgeBase base : open.values()) {
            base.close();
        }
        open.clear();
    }
}

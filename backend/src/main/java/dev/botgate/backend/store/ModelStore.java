package dev.botgate.backend.store;

import dev.botgate.backend.engine.InvalidRequestException;
import dev.botgate.backend.engine.ModelNotFoundException;
import dev.botgate.backend.engine.ModelResolver;
import dev.botgate.backend.engine.ModelSpec;
import dev.botgate.backend.store.PullException.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The local model store, like Ollama's: GGUF files under a root directory ({@code BOTGATE_MODELS}), named
 * {@code name:tag}, pulled from the catalogue, a URL, Hugging Face or a local file, and layered with Modelfiles.
 *
 * <pre>{@code
 * ModelStore store = ModelStore.builder(ModelStore.defaultRoot(System.getenv())).build();
 * store.pull("qwen2.5:0.5b", p -> System.out.println(p.status() + " " + p.completed() + "/" + p.total()));
 * store.create("helpdesk", "FROM qwen2.5:0.5b\nSYSTEM You answer briefly.\n", Path.of("."));
 * ModelSpec spec = store.resolve("helpdesk");   // checked GGUF + system prompt + parameters, for the engine
 * }</pre>
 *
 * <p>Writers (pull, create, delete) take a file lock in the store, so a {@code botgate} CLI and a running server
 * never write at once; two pulls of the same file are refused ({@link PullException.Kind#IN_PROGRESS}). Every GGUF
 * passes {@link ModelCheck} before it is stored and again (cached by size and mtime) before {@link #resolve} hands it
 * to the engine. Every new file (and every new chat template) is also loaded once in a child process
 * ({@link ModelProbe}) before it is stored: no file that pull or create accepts can abort the process that later
 * loads it. Downloads go only to the hosts {@link PullPolicy} allows, redirects included. Thread-safe.
 */
public final class ModelStore implements ModelResolver {
    private static final System.Logger LOG = System.getLogger(ModelStore.class.getName());

    private final StoreFiles files;
    private final Catalogue catalogue;
    private final ModelCheck check;
    private final Clock clock;
    private final Downloader downloader;
    private final ToLongFunction<Path> usableSpace;
    private final int retries;
    private final Duration retryDelay;
    private final Path workingDir;
    private final Optional<ModelProbe> probe;
    private final PullPolicy pullPolicy;
    private final Map<Path, Checked> checked = new ConcurrentHashMap<>();

    private record Checked(long size, FileTime modified, GgufInfo info) {
    }

    private ModelStore(Builder b) {
        this.files = new StoreFiles(b.root);
        this.catalogue = b.catalogue;
        this.check = b.check;
        this.clock = b.clock;
        this.usableSpace = b.usableSpace;
        this.retries = b.retries;
        this.retryDelay = b.retryDelay;
        this.workingDir = b.workingDir;
        this.probe = b.probe;
        this.pullPolicy = b.pullPolicy;
        HttpClient client = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                // Hugging Face redirects downloads to its CDN: the downloader follows redirects itself, checking
                // each hop against the pull policy.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.downloader = new Downloader(client, b.readTimeout, clock, usableSpace, pullPolicy);
    }

    /** A builder for a store rooted at {@code root} (created on first write). */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * The store directory the environment asks for: {@code BOTGATE_MODELS}, else {@code $BOTGATE_HOME/models}, else
     * {@code ~/.botgate/models}.
     */
    public static Path defaultRoot(Map<String, String> env) {
        String models = env.get("BOTGATE_MODELS");
        if (models != null && !models.isBlank()) {
            return Path.of(models);
        }
        String home = env.get("BOTGATE_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "models");
        }
        return Path.of(System.getProperty("user.home"), ".botgate", "models");
    }

    /** The store's root directory. */
    public Path root() {
        return files.root();
    }

    /** The names this store can pull without a URL. */
    public Catalogue catalogue() {
        return catalogue;
    }

    /** Every model in the store, sorted by name. A broken manifest is skipped (and logged), not fatal. */
    public List<ModelEntry> list() {
        List<ModelEntry> out = new ArrayList<>();
        for (Path file : manifestFiles()) {
            try {
                out.add(Manifest.read(file).entry());
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** The model called {@code name}, if the store has it. */
    public Optional<ModelEntry> find(String name) {
        return manifest(ModelName.parse(name)).map(Manifest::entry);
    }

    /**
     * Everything about a model: GGUF header, Modelfile, parameters, template, system prompt, license.
     *
     * @throws ModelNotFoundException when the store has no such model
     */
    public ModelDetails show(String name) {
        ModelName n = ModelName.parse(name);
        Manifest m = require(n);
        Path blob = blobOf(m);
        GgufInfo info = GgufFile.read(blob);
        Modelfile mf = m.modelfileOrEmpty().withFrom(blob.toString());
        StringBuilder parameters = new StringBuilder();
        for (Modelfile.Parameter p : mf.parameters()) {
            parameters.append(p.key()).append(' ')
                    .append(p.key().equals("stop") ? "\"" + p.value() + "\"" : p.value()).append('\n');
        }
        return new ModelDetails(m.entry(), info, blob, mf, parameters.toString(),
                mf.template().or(info::chatTemplate), mf.system().orElse(""), mf.license().or(info::license));
    }

    /**
     * The model's Modelfile as {@code botgate show --modelfile} prints it: {@code FROM} the GGUF file in the store,
     * so {@code botgate create other -f} of the output makes an equal variant.
     *
     * @throws ModelNotFoundException when the store has no such model
     */
    public String modelfile(String name) {
        ModelName n = ModelName.parse(name);
        Manifest m = require(n);
        Modelfile mf = m.modelfileOrEmpty().withFrom(blobOf(m).toString());
        return "# Modelfile generated by \"botgate show\"\n"
                + "# To build a new Modelfile based on this, replace FROM with:\n"
                + "# FROM " + n + "\n\n"
                + mf.render();
    }

    /**
     * Removes a model name; its GGUF file goes too unless another name (a variant) still uses it.
     *
     * @throws ModelNotFoundException when the store has no such model
     */
    public void delete(String name) {
        ModelName n = ModelName.parse(name);
        try (StoreFiles.Lock lock = files.lockForWriting()) {
            Manifest m = require(n);
            Path file = files.manifest(n);
            Files.delete(file);
            deleteIfEmpty(file.getParent());
            deleteBlobIfUnused(m.hex());
        } catch (IOException e) {
            throw new StoreException("cannot remove model '" + n + "' from " + root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the engine needs to run {@code name}, after checking its GGUF file (cached while the file is unchanged).
     *
     * @throws ModelNotFoundException when the store has no such model
     * @throws ModelRefusedException  when the file must not be loaded (truncated, unsupported architecture, ...)
     */
    @Override
    public ModelSpec resolve(String name) {
        ModelName n;
        try {
            n = ModelName.parse(name);
        } catch (InvalidRequestException e) {
            throw new ModelNotFoundException(name); // no invalid name can be in the store
        }
        Manifest m = require(n);
        Path blob = blobOf(m);
        checkedInfo(blob, n.toString());
        Modelfile mf = m.modelfileOrEmpty();
        return new ModelSpec(n.toString(), m.digest(), blob, mf.system().orElse(""), mf.template(), mf.numCtx(),
                mf.options());
    }

    /**
     * Pulls a model: a catalogue name ({@code qwen2.5:0.5b}), an {@code http(s)://.../file.gguf} URL, an
     * {@code hf://owner/repo/file.gguf} reference, or a local GGUF file ({@code ./tiny.gguf} becomes
     * {@code tiny:latest}). Downloads resume where an earlier attempt stopped.
     *
     * @param progress called on the pulling thread with each step; it should return quickly. If it throws (say, the
     *                 HTTP client that asked for the pull went away), the pull stops with that exception and keeps
     *                 what it downloaded for the next attempt to resume
     * @return the stored model
     * @throws PullException with a {@link PullException.Kind} and what to do next
     */
    public ModelEntry pull(String source, Consumer<PullProgress> progress) {
        PullSource src = PullSource.parse(source, catalogue, workingDir);
        return pull(src, src.name(), progress);
    }

    /**
     * Whether {@code source} names a file on this machine (not a catalogue name or a URL): the HTTP API lets only
     * administrators import server files.
     */
    public boolean isLocalSource(String source) {
        try {
            return PullSource.parse(source, catalogue, workingDir).file().isPresent();
        } catch (PullException e) {
            return false; // nothing will be read: the pull itself reports the problem
        }
    }

    /** The hosts pulls may download from. */
    public PullPolicy pullPolicy() {
        return pullPolicy;
    }

    /** Like {@link #pull(String, Consumer)}, storing the model as {@code name} instead of the name it implies. */
    public ModelEntry pull(String source, String name, Consumer<PullProgress> progress) {
        ModelName target = ModelName.parse(name);
        return pull(PullSource.parse(source, catalogue, workingDir), target, progress);
    }

    /**
     * Makes a named model from a Modelfile. {@code FROM} names a GGUF file (relative paths against {@code baseDir},
     * the Modelfile's own folder), which is checked, tried in a child process and copied into the store, or an
     * existing model, whose file this variant shares and whose Modelfile it extends.
     *
     * @throws ModelfileException     when the Modelfile is invalid or its FROM file does not exist
     * @throws ModelNotFoundException when FROM names a model the store does not have
     * @throws ModelRefusedException  when the FROM file must not be loaded
     */
    public ModelEntry create(String name, String modelfileText, Path baseDir) {
        return create(name, modelfileText, Optional.of(baseDir.toAbsolutePath()));
    }

    /**
     * Like {@link #create(String, String, Path)} for a Modelfile whose folder is unknown (one sent over HTTP): a
     * relative {@code FROM} path is refused, since resolving it against this process's working directory would pick
     * whatever file happens to be there. Clients resolve it first ({@link Modelfile#resolvedAgainst}).
     */
    public ModelEntry create(String name, String modelfileText) {
        return create(name, modelfileText, Optional.empty());
    }

    private ModelEntry create(String name, String modelfileText, Optional<Path> baseDir) {
        ModelName target = ModelName.parse(name);
        Modelfile mf = Modelfile.parse(modelfileText);
        String from = mf.from();
        Optional<Path> file = fromFile(from, baseDir);
        if (file.isPresent()) {
            Path gguf = file.get();
            Optional<String> storedHex = blobHex(gguf);
            if (storedHex.isPresent()) {
                // FROM a file of this store (what show --modelfile prints): share it instead of copying gigabytes.
                GgufInfo info = checkedInfo(gguf, target.toString());
                checkNumCtx(mf, info);
                if (mf.template().isPresent()) {
                    probe(target.toString(), gguf, mf.template());
                }
                try (StoreFiles.Lock lock = files.lockForWriting()) {
                    if (!Files.isRegularFile(gguf)) {
                        throw new ModelfileException(0, "FROM " + from + ": the file was removed meanwhile");
                    }
                    return writeManifest(target, storedHex.get(), info.fileSize(), "create", info,
                            mf.withFrom(gguf.toString()));
                } catch (IOException e) {
                    throw new StoreException("cannot write model '" + target + "': " + e.getMessage(), e);
                }
            }
            GgufInfo info = check.check(gguf);
            checkNumCtx(mf, info);
            Staged staged = stage(gguf, p -> { });
            try {
                probeNew(target.toString(), staged, mf.template());
            } catch (RuntimeException e) {
                deleteQuietly(staged.part());
                throw e;
            }
            return commit(staged, target, "create", info, mf.withFrom(gguf.toString()));
        }
        ModelName baseName;
        try {
            baseName = ModelName.parse(from);
        } catch (InvalidRequestException e) {
            throw new ModelfileException(0, "FROM " + from + " is neither an existing .gguf file nor a model name");
        }
        Manifest base = manifest(baseName).orElseThrow(() -> new ModelNotFoundException(baseName.toString()));
        GgufInfo info = checkedInfo(blobOf(base), baseName.toString());
        Modelfile merged = mf.over(base.modelfileOrEmpty()).withFrom(baseName.toString());
        checkNumCtx(merged, info);
        if (mf.template().isPresent()) {
            probe(target.toString(), blobOf(base), mf.template());
        }
        try (StoreFiles.Lock lock = files.lockForWriting()) {
            // The base may have been removed since we looked; its blob must still be there to share.
            Manifest current = manifest(baseName).orElseThrow(() -> new ModelNotFoundException(baseName.toString()));
            return writeManifest(target, current.hex(), current.size(), "create", info, merged);
        } catch (IOException e) {
            throw new StoreException("cannot write model '" + target + "' to " + root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gives a model a second name ({@code botgate cp}, Ollama's {@code /api/copy}); both share the GGUF file.
     *
     * @throws ModelNotFoundException when the store has no model {@code source}
     */
    public ModelEntry copy(String source, String destination) {
        ModelName from = ModelName.parse(source);
        ModelName to = ModelName.parse(destination);
        try (StoreFiles.Lock lock = files.lockForWriting()) {
            Manifest m = require(from);
            GgufInfo info = checkedInfo(blobOf(m), from.toString());
            return writeManifest(to, m.hex(), m.size(), m.source(), info, m.modelfileOrEmpty());
        } catch (IOException e) {
            throw new StoreException("cannot write model '" + to + "' to " + root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes what no model uses: blobs no manifest names (left by a crash between steps) and local imports that
     * were abandoned (untouched for {@code staleAfter}). Unfinished downloads stay: the next pull resumes them.
     * Meant for server start-up, like Ollama's prune.
     *
     * @return bytes freed
     */
    public long prune(Duration staleAfter) {
        if (staleAfter.isNegative()) {
            throw new IllegalArgumentException("staleAfter must be >= 0, not " + staleAfter);
        }
        long freed = 0;
        try (StoreFiles.Lock lock = files.lockForWriting()) {
            java.util.Set<String> used = new java.util.HashSet<>();
            for (Path file : manifestFiles()) {
                try {
                    used.add(Manifest.read(file).hex());
                } catch (StoreException e) {
                    return freed; // cannot tell what an unreadable manifest uses: delete nothing
                }
            }
            try (DirectoryStream<Path> blobs = Files.newDirectoryStream(files.blobs(), "sha256-*")) {
                for (Path blob : blobs) {
                    if (!used.contains(blob.getFileName().toString().substring("sha256-".length()))) {
                        freed += Files.size(blob);
                        checked.remove(blob);
                        Files.delete(blob);
                    }
                }
            }
            java.time.Instant cutoff = clock.instant().minus(staleAfter);
            try (DirectoryStream<Path> parts = Files.newDirectoryStream(files.partial(), "import-*.part")) {
                for (Path part : parts) {
                    if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                        freed += Files.size(part);
                        Files.delete(part);
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot prune " + root() + ": " + e.getMessage(), e);
        }
        return freed;
    }

    // ---------------------------------------------------------------------------------------------------- pulling

    private ModelEntry pull(PullSource src, ModelName target, Consumer<PullProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        src.url().ifPresent(pullPolicy::check); // before any progress, so a refusal is a plain error
        progress.accept(PullProgress.status("pulling manifest"));
        ModelEntry entry;
        if (src.file().isPresent()) {
            Path file = src.file().get();
            GgufInfo info = refusedAsPull(() -> check.check(file));
            Staged staged = stage(file, progress);
            try {
                refusedAsPull(() -> {
                    probeNew(target.toString(), staged, Optional.empty());
                    return info;
                });
            } catch (RuntimeException e) {
                deleteQuietly(staged.part());
                throw e;
            }
            progress.accept(PullProgress.status("writing manifest"));
            entry = commit(staged, target, src.label(), info, Modelfile.from(src.label()));
        } else {
            entry = download(src, target, progress);
        }
        progress.accept(PullProgress.status("success"));
        return entry;
    }

    private ModelEntry download(PullSource src, ModelName target, Consumer<PullProgress> progress) {
        String digest = src.sha256().map(h -> "sha256:" + h).orElse("");
        if (src.sha256().isPresent() && Files.isRegularFile(files.blob(src.sha256().get()))) {
            // Content-addressed: a blob with this digest is this file. Only the name is new.
            Path blob = files.blob(src.sha256().get());
            GgufInfo info = refusedAsPull(() -> checkedInfo(blob, target.toString()));
            progress.accept(PullProgress.transfer("downloading", digest, info.fileSize(), info.fileSize(), 0));
            progress.accept(PullProgress.status("writing manifest"));
            try (StoreFiles.Lock lock = files.lockForWriting()) {
                return writeManifest(target, src.sha256().get(), info.fileSize(), src.label(), info,
                        Modelfile.from(src.label()));
            } catch (IOException e) {
                throw new StoreException("cannot write model '" + target + "': " + e.getMessage(), e);
            }
        }
        Path part = files.partial().resolve(src.partKey() + ".part");
        Path sidecar = part.resolveSibling(part.getFileName() + ".json");
        Optional<StoreFiles.Lock> held;
        try {
            held = files.tryLock(part.resolveSibling(src.partKey() + ".lock"));
        } catch (IOException e) {
            throw new StoreException("cannot create " + part.getParent() + ": " + e.getMessage(), e);
        }
        if (held.isEmpty()) {
            throw new PullException(Kind.IN_PROGRESS, "'" + target + "' (" + src.label() + ") is already being "
                    + "pulled by this server or another botgate process using " + root() + "; wait for that pull "
                    + "to finish");
        }
        try (StoreFiles.Lock lock = held.get()) {
            Downloader.Result result = fetchWithRetries(src, part, digest, progress);
            progress.accept(PullProgress.status("verifying sha256 digest"));
            if (src.sha256().isPresent() && !src.sha256().get().equals(result.hex())) {
                deleteQuietly(part, sidecar);
                throw new PullException(Kind.CHECKSUM_MISMATCH, "the file downloaded from " + src.label()
                        + " has sha256 " + result.hex() + " but " + src.sha256().get() + " was expected; the partial "
                        + "download was deleted. Pull again; if it fails again, the source changed and the catalogue "
                        + "entry needs updating");
            }
            GgufInfo info;
            try {
                info = refusedAsPull(() -> {
                    GgufInfo checkedInfo = check.check(part);
                    probeNew(target.toString(), new Staged(part, result.hex(), result.size()), Optional.empty());
                    return checkedInfo;
                });
            } catch (PullException e) {
                // Resuming cannot turn a login page or an unsupported model into a usable one: start clean.
                deleteQuietly(part, sidecar);
                throw new PullException(e.kind(), e.getMessage() + " (the downloaded file was deleted)",
                        e.getCause());
            }
            progress.accept(PullProgress.status("writing manifest"));
            ModelEntry entry = commit(new Staged(part, result.hex(), result.size()), target, src.label(), info,
                    Modelfile.from(src.label()));
            deleteQuietly(sidecar);
            return entry;
        } catch (IOException e) {
            throw new StoreException("cannot release the download lock in " + part.getParent() + ": "
                    + e.getMessage(), e);
        }
    }

    private Downloader.Result fetchWithRetries(PullSource src, Path part, String digest,
                                               Consumer<PullProgress> progress) {
        for (int attempt = 0; ; attempt++) {
            try {
                return downloader.fetch(src.url().orElseThrow(), part, digest, progress);
            } catch (PullException e) {
                if (e.kind() != Kind.NETWORK || attempt >= retries) {
                    throw e;
                }
                LOG.log(System.Logger.Level.INFO, "pull of {0}: {1}; retrying in {2} ms", src.label(),
                        e.getMessage(), retryDelay.toMillis());
                try {
                    Thread.sleep(retryDelay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A GGUF file copied into {@code partial/}, hashed, waiting to become a blob. */
    private record Staged(Path part, String hex, long size) {
    }

    /** Copies a local file into the store's partial directory, computing its SHA-256 on the way. */
    private Staged stage(Path source, Consumer<PullProgress> progress) {
        Path part = files.partial().resolve("import-" + UUID.randomUUID() + ".part");
        try {
            Files.createDirectories(part.getParent());
            long total = Files.size(source);
            long free = usableSpace.applyAsLong(part.getParent());
            if (total + Downloader.DISK_MARGIN > free) {
                throw new PullException(Kind.DISK_FULL, "not enough disk space to import " + source + ": it needs "
                        + StoreFiles.human(total) + ", " + StoreFiles.human(free) + " is free in " + root()
                        + "; free some space or set BOTGATE_MODELS to a larger disk");
            }
            MessageDigest sha = Downloader.sha256();
            long done = 0;
            long began = clock.millis();
            long last = 0;
            try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    try {
                        out.write(buf, 0, n);
                    } catch (IOException e) {
                        throw Downloader.writeFailed(part, e);
                    }
                    sha.update(buf, 0, n);
                    done += n;
                    long now = clock.millis();
                    if (now - last >= 100 || done == total) {
                        last = now;
                        double rate = now > began ? done * 1000.0 / (now - began) : 0;
                        progress.accept(PullProgress.transfer("importing", "", total, done, rate));
                    }
                }
            }
            return new Staged(part, HexFormat.of().formatHex(sha.digest()), done);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new StoreException("cannot copy " + source + " into " + root() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
    }

    /** Moves a staged file into {@code blobs/} and writes the manifest, under the writer lock. */
    private ModelEntry commit(Staged staged, ModelName target, String source, GgufInfo info, Modelfile modelfile) {
        try (StoreFiles.Lock lock = files.lockForWriting()) {
            Path blob = files.blob(staged.hex());
            if (Files.exists(blob)) {
                Files.delete(staged.part()); // the same bytes are already stored, e.g. under another name
            } else {
                StoreFiles.moveAtomically(staged.part(), blob);
            }
            return writeManifest(target, staged.hex(), staged.size(), source, info, modelfile);
        } catch (IOException e) {
            deleteQuietly(staged.part());
            throw new StoreException("cannot store '" + target + "' in " + root() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a manifest (caller holds the writer lock) and drops the blob the name used before, if now unused. */
    private ModelEntry writeManifest(ModelName target, String hex, long size, String source, GgufInfo info,
                                     Modelfile modelfile) throws IOException {
        Optional<Manifest> previous = manifest(target);
        Manifest m = Manifest.of(target, hex, size, clock.instant(), source, info, modelfile);
        m.write(files.manifest(target));
        if (previous.isPresent() && !previous.get().hex().equals(hex)) {
            deleteBlobIfUnused(previous.get().hex());
        }
        return m.entry();
    }

    private static GgufInfo refusedAsPull(java.util.function.Supplier<GgufInfo> checkIt) {
        try {
            return checkIt.get();
        } catch (ModelRefusedException e) {
            Kind kind = switch (e.reason()) {
                case NOT_GGUF, TRUNCATED, UNSUPPORTED_VERSION -> Kind.NOT_GGUF;
                case UNSUPPORTED_ARCHITECTURE, MEAN_POOLING, INVALID, LOAD_FAILED -> Kind.REFUSED;
            };
            throw new PullException(kind, e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Tries a staged file in a child process, unless the store already holds these bytes (tried when they came). */
    private void probeNew(String label, Staged staged, Optional<String> template) {
        if (template.isEmpty() && Files.isRegularFile(files.blob(staged.hex()))) {
            return;
        }
        probe(label, staged.part(), template);
    }

    private void probe(String label, Path gguf, Optional<String> template) {
        probe.ifPresent(p -> p.check(label, gguf, template));
    }

    /**
     * A Modelfile's num_ctx may not pass the model's trained context: llama.cpp would allocate a KV cache for it
     * (num_ctx × slots) and the model cannot use the positions beyond what it was trained on.
     */
    private static void checkNumCtx(Modelfile mf, GgufInfo info) {
        int numCtx = mf.numCtx();
        if (numCtx > 0 && info.contextLength() > 0 && numCtx > info.contextLength()) {
            throw new ModelfileException(0, "PARAMETER num_ctx " + numCtx + " is more than the "
                    + info.contextLength() + " tokens of context the model was trained for; use at most "
                    + info.contextLength());
        }
    }

    private GgufInfo checkedInfo(Path blob, String label) {
        try {
            long size = Files.size(blob);
            FileTime modified = Files.getLastModifiedTime(blob);
            Checked c = checked.get(blob);
            if (c != null && c.size() == size && c.modified().equals(modified)) {
                return c.info();
            }
            GgufInfo info = GgufFile.read(blob);
            check.check(label, info);
            checked.put(blob, new Checked(size, modified, info));
            return info;
        } catch (NoSuchFileException e) {
            throw new StoreException("the file of model '" + label + "' (" + blob + ") is missing; remove the model "
                    + "with botgate rm " + label + " and pull it again");
        } catch (IOException e) {
            throw new StoreException("cannot read " + blob + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Path> fromFile(String from, Optional<Path> baseDir) {
        String expanded = Modelfile.expandHome(from);
        boolean pathLike = Modelfile.isPath(from);
        Path given;
        try {
            given = Path.of(expanded);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ModelfileException(0, "FROM " + from + " is not a valid path or model name");
        }
        if (baseDir.isEmpty() && !given.isAbsolute()) {
            if (pathLike) {
                throw new ModelfileException(0, "FROM " + from + " is a relative path, and the server does not know "
                        + "which folder your Modelfile is in; write an absolute path (botgate create -f resolves a "
                        + "relative FROM against the Modelfile's folder before sending it)");
            }
            return Optional.empty(); // a model name
        }
        Path file = baseDir.map(b -> b.resolve(given)).orElse(given).toAbsolutePath().normalize();
        if (Files.isRegularFile(file)) {
            return Optional.of(file);
        }
        if (pathLike) {
            throw new ModelfileException(0, "FROM " + from + ": no such file " + file);
        }
        return Optional.empty();
    }

    /** The digest of {@code file} when it is one of this store's blobs (named by its SHA-256). */
    private Optional<String> blobHex(Path file) {
        String fileName = file.getFileName().toString();
        if (file.getParent() != null && file.getParent().equals(files.blobs())
                && fileName.matches("sha256-[0-9a-f]{64}")) {
            return Optional.of(fileName.substring("sha256-".length()));
        }
        return Optional.empty();
    }

    private Manifest require(ModelName name) {
        return manifest(name).orElseThrow(() -> new ModelNotFoundException(name.toString()));
    }

    private Optional<Manifest> manifest(ModelName name) {
        Path file = files.manifest(name);
        return Files.isRegularFile(file) ? Optional.of(Manifest.read(file)) : Optional.empty();
    }

    private Path blobOf(Manifest m) {
        return files.blob(m.hex());
    }

    private List<Path> manifestFiles() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(files.manifests())) {
            return out;
        }
        try (DirectoryStream<Path> names = Files.newDirectoryStream(files.manifests())) {
            for (Path dir : names) {
                if (!Files.isDirectory(dir) || !ModelName.isValid(dir.getFileName().toString())) {
                    continue;
                }
                try (DirectoryStream<Path> tags = Files.newDirectoryStream(dir, "*.json")) {
                    tags.forEach(out::add);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + files.manifests() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes blob {@code hex} unless a manifest still names it (caller holds the writer lock). */
    private void deleteBlobIfUnused(String hex) throws IOException {
        String digest = "sha256:" + hex;
        for (Path file : manifestFiles()) {
            try {
                if (Manifest.read(file).digest().equals(digest)) {
                    return;
                }
            } catch (StoreException e) {
                return; // an unreadable manifest might name it: keep the blob rather than break a model
            }
        }
        Path blob = files.blob(hex);
        checked.remove(blob);
        Files.deleteIfExists(blob);
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty: other tags of this name remain
        }
    }

    private static void deleteQuietly(Path... paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", p, e.getMessage());
            }
        }
    }

    private static long usableSpace(Path dir) {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // unknown: let the write itself report a full disk
        }
    }

    /** Options of a {@link ModelStore}; every setter validates at once. */
    public static final class Builder {
        private final Path root;
        private Catalogue catalogue = Catalogue.builtIn();
        private ModelCheck check = ModelCheck.bundled();
        private Clock clock = Clock.systemUTC();
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration readTimeout = Duration.ofSeconds(60);
        private int retries = 3;
        private Duration retryDelay = Duration.ofSeconds(2);
        private HttpClient httpClient;
        private Path workingDir = Path.of("").toAbsolutePath();
        private ToLongFunction<Path> usableSpace = ModelStore::usableSpace;
        private Optional<ModelProbe> probe = Optional.of(ModelProbe.childJvm(Duration.ofMinutes(2)));
        private PullPolicy pullPolicy = PullPolicy.defaults();

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** Names {@link #pull} knows (default: the built-in catalogue). */
        public Builder catalogue(Catalogue c) {
            this.catalogue = Objects.requireNonNull(c, "catalogue");
            return this;
        }

        /** The check every GGUF passes (default: {@link ModelCheck#bundled()}). */
        public Builder modelCheck(ModelCheck c) {
            this.check = Objects.requireNonNull(c, "modelCheck");
            return this;
        }

        /** Time for modification dates and transfer speeds (default: the system clock, UTC). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** How long to wait for a connection (default 15 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** How long a download may wait for the response headers or for the next bytes (default 60 s). */
        public Builder readTimeout(Duration d) {
            this.readTimeout = positive(d, "readTimeout");
            return this;
        }

        /** How often a broken download is resumed before the pull fails (default 3), and the pause between. */
        public Builder retries(int n, Duration delay) {
            if (n < 0) {
                throw new IllegalArgumentException("retries must be >= 0, not " + n);
            }
            this.retries = n;
            this.retryDelay = Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retry delay must be >= 0, not " + delay);
            }
            return this;
        }

        /**
         * The HTTP client for downloads; its own timeouts then apply. It should not follow redirects: the store
         * follows them itself, checking each against the {@link PullPolicy}.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /** Where relative local paths given to {@link #pull} start (default: the current directory). */
        public Builder workingDir(Path dir) {
            this.workingDir = Objects.requireNonNull(dir, "workingDir").toAbsolutePath();
            return this;
        }

        /**
         * How long the trial load of a new file in a child process ({@link ModelProbe}) may take (default 2 minutes).
         */
        public Builder probeTimeout(Duration d) {
            this.probe = Optional.of(ModelProbe.childJvm(positive(d, "probeTimeout")));
            return this;
        }

        /** The hosts pulls may download from (default {@link PullPolicy#defaults()}: the model hubs, https only). */
        public Builder pullPolicy(PullPolicy policy) {
            this.pullPolicy = Objects.requireNonNull(policy, "pullPolicy");
            return this;
        }

        /**
         * Seam for tests of download mechanics only: no trial load in a child process. Package-private on purpose:
         * nothing outside the store's own tests can turn the probe off.
         */
        Builder withoutProbe() {
            this.probe = Optional.empty();
            return this;
        }

        /** Seam for tests: free bytes in a directory. */
        Builder usableSpace(ToLongFunction<Path> f) {
            this.usableSpace = Objects.requireNonNull(f, "usableSpace");
            return this;
        }

        public ModelStore build() {
            return new ModelStore(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}

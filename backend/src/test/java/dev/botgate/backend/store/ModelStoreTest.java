package dev.botgate.backend.store;

import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.ModelNotFoundException;
import dev.botgate.backend.engine.ModelSpec;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class ModelStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private Path fixtures;
    private Path tiny;
    private String tinyHex;
    private Path root;
    private ModelStore store;

    @BeforeClass
    public void writeModel() throws IOException {
        fixtures = Files.createTempDirectory("store-fixtures");
        tiny = TinyGguf.builder().write(fixtures.resolve("tiny.gguf"));
        tinyHex = HexFormat.of().formatHex(Downloader.sha256().digest(Files.readAllBytes(tiny)));
    }

    @BeforeMethod
    public void newStore() throws IOException {
        root = Files.createTempDirectory("store");
        store = ModelStore.builder(root).catalogue(Catalogue.empty()).workingDir(fixtures)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    @AfterMethod(alwaysRun = true)
    public void removeStore() throws IOException {
        Testing.deleteTree(root);
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        Testing.deleteTree(fixtures);
    }

    @Test
    public void importsALocalFileUnderItsBaseName() throws IOException {
        List<PullProgress> events = new ArrayList<>();
        ModelEntry e = store.pull("./tiny.gguf", events::add);
        assertEquals(e.name(), "tiny:latest", "./tiny.gguf becomes tiny:latest");
        assertEquals(e.digest(), "sha256:" + tinyHex, "digest of the file");
        assertEquals(e.size(), Files.size(tiny), "size");
        assertEquals(e.modifiedAt(), NOW, "time from the injected clock");
        assertEquals(e.family(), "llama", "family");
        assertEquals(e.quantization(), "F32", "quantization");
        assertTrue(Files.isRegularFile(root.resolve("blobs/sha256-" + tinyHex)), "copied into blobs/");
        assertTrue(Files.isRegularFile(tiny), "the original stays");
        assertEquals(events.getFirst().status(), "pulling manifest", "first event");
        assertEquals(events.getLast().status(), "success", "last event");
        assertTrue(events.stream().anyMatch(p -> p.status().equals("importing") && p.completed() == e.size()),
                "import progress reaches the file size: " + events);
    }

    @Test
    public void importRefusesAnUnsupportedModelBeforeCopying() throws IOException {
        Path qwen3 = TinyGguf.builder().architecture("qwen3").write(fixtures.resolve("q3.gguf"));
        PullException e = expectThrows(PullException.class, () -> store.pull(qwen3.toString(), p -> { }));
        assertEquals(e.kind(), PullException.Kind.REFUSED, e.getMessage());
        assertTrue(e.getMessage().contains("qwen3"), e.getMessage());
        assertEquals(store.list(), List.of(), "nothing stored");
        assertFalse(Files.exists(root.resolve("blobs")) && Files.list(root.resolve("blobs")).findAny().isPresent(),
                "no blob");
    }

    @Test
    public void aMissingLocalFileIsNotFound() {
        PullException e = expectThrows(PullException.class, () -> store.pull("./absent.gguf", p -> { }));
        assertEquals(e.kind(), PullException.Kind.NOT_FOUND, e.getMessage());
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    public void anUnknownNameSaysWhatCanBePulled() {
        PullException e = expectThrows(PullException.class, () -> store.pull("mystery:7b", p -> { }));
        assertEquals(e.kind(), PullException.Kind.NOT_FOUND, e.getMessage());
        assertTrue(e.getMessage().contains("not in the catalogue") && e.getMessage().contains("hf://"),
                e.getMessage());
    }

    @Test
    public void listsShowsAndResolves() {
        store.pull("tiny.gguf", p -> { });
        assertEquals(store.list().stream().map(ModelEntry::name).toList(), List.of("tiny:latest"), "list");
        ModelDetails d = store.show("tiny");
        assertEquals(d.gguf().parameterCount(), TinyGguf.builder().parameterCount(), "show reads the GGUF");
        assertEquals(d.template(), Optional.of(TinyGguf.CHAT_TEMPLATE), "the GGUF's template");
        assertEquals(d.system(), "", "no system prompt");
        ModelSpec spec = store.resolve("tiny");
        assertEquals(spec.name(), "tiny:latest", "canonical name");
        assertEquals(spec.digest(), "sha256:" + tinyHex, "digest");
        assertEquals(spec.gguf(), root.resolve("blobs/sha256-" + tinyHex).toAbsolutePath(), "the blob");
        assertEquals(spec.template(), Optional.empty(), "no override: the engine uses the GGUF's");
        assertEquals(spec.defaults(), GenerationOptions.NONE, "no defaults");
        assertEquals(spec.numCtx(), 0, "engine default context");
    }

    @Test
    public void resolveOfAnUnknownModelSaysHowToPullIt() {
        ModelNotFoundException e = expectThrows(ModelNotFoundException.class, () -> store.resolve("nothere:1b"));
        assertTrue(e.getMessage().contains("botgate pull nothere:1b"), e.getMessage());
        expectThrows(ModelNotFoundException.class, () -> store.resolve("../../etc"));
        expectThrows(ModelNotFoundException.class, () -> store.show("nothere"));
        expectThrows(ModelNotFoundException.class, () -> store.delete("nothere"));
    }

    @Test
    public void resolveRefusesABlobThatWasCutShortAfterImport() throws IOException {
        store.pull("tiny.gguf", p -> { });
        store.resolve("tiny"); // checked and cached
        Path blob = root.resolve("blobs/sha256-" + tinyHex);
        Testing.truncatedCopy(blob, blob, Files.size(blob) - 64);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> store.resolve("tiny"));
        assertTrue(e.getMessage().contains("truncated: expected"), "the size change invalidated the cache: "
                + e.getMessage());
    }

    @Test
    public void deleteKeepsTheBlobWhileAVariantUsesIt() {
        store.pull("tiny.gguf", p -> { });
        store.create("helper", "FROM tiny\nSYSTEM You help.\n", fixtures);
        Path blob = root.resolve("blobs/sha256-" + tinyHex);
        store.delete("tiny");
        assertEquals(store.list().stream().map(ModelEntry::name).toList(), List.of("helper:latest"), "one left");
        assertTrue(Files.exists(blob), "helper still uses the blob");
        assertEquals(store.resolve("helper").system(), "You help.", "the variant still works");
        store.delete("helper:latest");
        assertFalse(Files.exists(blob), "the last name is gone, so is the blob");
        assertEquals(store.list(), List.of(), "empty");
        assertFalse(Files.exists(root.resolve("manifests/helper")), "empty name folder removed");
    }

    @Test
    public void createFromAFileResolvesWithItsModelfile() throws IOException {
        Path dir = Files.createDirectories(fixtures.resolve("mf"));
        Files.copy(tiny, dir.resolve("weights.gguf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelEntry e = store.create("support:v1", """
                FROM ./weights.gguf
                SYSTEM \"\"\"You are the support bot.
                Answer briefly.\"\"\"
                PARAMETER temperature 0.3
                PARAMETER num_ctx 1024
                PARAMETER stop "###"
                TEMPLATE \"\"\"{{ messages }}\"\"\"
                """, dir);
        assertEquals(e.digest(), "sha256:" + tinyHex, "same bytes, same blob");
        assertEquals(e.source(), "create", "source");
        ModelSpec spec = store.resolve("support:v1");
        assertEquals(spec.system(), "You are the support bot.\nAnswer briefly.", "system");
        assertEquals(spec.template(), Optional.of("{{ messages }}"), "template override");
        assertEquals(spec.numCtx(), 1024, "num_ctx");
        assertEquals(spec.defaults().temperature(), 0.3, "temperature");
        assertEquals(spec.defaults().stop(), List.of("###"), "stop");
    }

    @Test
    public void aModelfileFromAnUnknownFolderMayNotUseARelativePath() throws IOException {
        // issue 9: the server resolved FROM ../x.gguf against its own working directory
        ModelfileException e = expectThrows(ModelfileException.class,
                () -> store.create("rel", "FROM ../fixtures/tiny.gguf\n"));
        assertTrue(e.getMessage().contains("relative path") && e.getMessage().contains("absolute"), e.getMessage());
        expectThrows(ModelfileException.class, () -> store.create("rel", "FROM tiny.gguf\n"));
        assertEquals(store.create("abs", "FROM " + tiny + "\n").digest(), "sha256:" + tinyHex, "absolute works");
        assertEquals(store.create("named", "FROM abs\nSYSTEM Hi.\n").digest(), "sha256:" + tinyHex,
                "a model name works");
        expectThrows(ModelfileException.class, () -> store.create("nul", "FROM a\u0000b.gguf\n"));
        PullException nul = expectThrows(PullException.class, () -> store.pull("a\u0000b.gguf", p -> { }));
        assertEquals(nul.kind(), PullException.Kind.NOT_FOUND, "a 404, not a 500: " + nul.getMessage());
    }

    @Test
    public void numCtxBeyondTheTrainedContextIsRefused() {
        ModelfileException e = expectThrows(ModelfileException.class,
                () -> store.create("wide", "FROM " + tiny + "\nPARAMETER num_ctx 4096\n"));
        assertTrue(e.getMessage().contains("2048 tokens of context the model was trained for"), e.getMessage());
        assertTrue(store.list().isEmpty(), "nothing stored");
        store.create("base", "FROM " + tiny + "\n");
        expectThrows(ModelfileException.class, () -> store.create("wide", "FROM base\nPARAMETER num_ctx 4096\n"));
    }

    @Test
    public void showModelfileRoundTrips() {
        store.pull("tiny.gguf", p -> { });
        store.create("a", "FROM tiny\nSYSTEM \"\"\"line one\nline two\"\"\"\nPARAMETER top_k 3\nPARAMETER stop x y\n",
                fixtures);
        String text = store.modelfile("a");
        assertTrue(text.startsWith("# Modelfile generated by \"botgate show\""), text);
        assertTrue(text.contains("# FROM a:latest"), text);
        assertTrue(text.contains("FROM " + root.resolve("blobs/sha256-" + tinyHex).toAbsolutePath()), text);
        // No free space at all: creating from the printed Modelfile must share the blob, not copy it.
        ModelStore full = ModelStore.builder(root).catalogue(Catalogue.empty()).usableSpace(p -> 0).build();
        full.create("b", text, fixtures);
        ModelSpec a = store.resolve("a");
        ModelSpec b = store.resolve("b");
        assertEquals(b.digest(), a.digest(), "same blob");
        assertEquals(b.system(), a.system(), "same system");
        assertEquals(b.defaults(), a.defaults(), "same parameters");
        assertEquals(store.show("b").parameters(), "top_k 3\nstop \"x y\"\n", "Ollama's parameters text");
        try (java.util.stream.Stream<Path> parts = Files.list(root.resolve("partial"))) {
            assertEquals(parts.filter(p -> p.toString().endsWith(".part")).count(), 0L, "nothing staged or left");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void createFromAModelExtendsItsModelfile() {
        store.pull("tiny.gguf", p -> { });
        store.create("base", "FROM tiny\nSYSTEM base prompt\nPARAMETER top_k 9\nPARAMETER temperature 1\n", fixtures);
        store.create("child", "FROM base\nPARAMETER temperature 0.1\n", fixtures);
        ModelSpec child = store.resolve("child");
        assertEquals(child.system(), "base prompt", "inherited");
        assertEquals(child.defaults().topK(), Integer.valueOf(9), "inherited");
        assertEquals(child.defaults().temperature(), 0.1, "overridden");
    }

    @Test
    public void createReportsAMissingBaseOrFile() {
        ModelNotFoundException missing = expectThrows(ModelNotFoundException.class,
                () -> store.create("x", "FROM nosuch:1b\n", fixtures));
        assertTrue(missing.getMessage().contains("nosuch:1b"), missing.getMessage());
        ModelfileException file = expectThrows(ModelfileException.class,
                () -> store.create("x", "FROM ./nowhere.gguf\n", fixtures));
        assertTrue(file.getMessage().contains("no such file"), file.getMessage());
        expectThrows(dev.botgate.backend.engine.InvalidRequestException.class,
                () -> store.create("Bad/Name", "FROM tiny\n", fixtures));
    }

    @Test
    public void createRefusesAMeanPoolingEmbeddingModel() throws IOException {
        Path mean = TinyGguf.builder().extra("llama.pooling_type", 1).write(fixtures.resolve("mean.gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class,
                () -> store.create("emb", "FROM " + mean + "\n", fixtures));
        assertEquals(e.reason(), ModelRefusedException.Reason.MEAN_POOLING, e.getMessage());
        assertEquals(store.list(), List.of(), "nothing stored");
    }

    @Test
    public void aSecondStoreOnTheSameRootSeesTheSameModels() {
        store.pull("tiny.gguf", p -> { });
        ModelStore other = ModelStore.builder(root).catalogue(Catalogue.empty()).build();
        assertEquals(other.list(), store.list(), "state lives on disk, like a CLI next to a server");
        other.delete("tiny");
        assertEquals(store.list(), List.of(), "and writes are seen by both");
    }

    @Test
    public void twoStoresOnOneRootWriteConcurrentlyWithoutLosingAnything() throws Exception {
        store.pull("tiny.gguf", p -> { });
        ModelStore other = ModelStore.builder(root).catalogue(Catalogue.empty()).build();
        List<java.util.concurrent.Callable<ModelEntry>> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ModelStore s = i % 2 == 0 ? store : other; // like a CLI and a server side by side
            String name = "v" + i;
            jobs.add(() -> s.create(name, "FROM tiny\nSYSTEM variant " + name + "\n", fixtures));
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (var f : pool.invokeAll(jobs)) {
                f.get(); // rethrows any failure, e.g. an OverlappingFileLockException that escaped
            }
        }
        assertEquals(store.list().size(), 13, "tiny and 12 variants");
        assertEquals(other.resolve("v7").system(), "variant v7", "each variant has its own Modelfile");
    }

    @Test
    public void rePullingANameReplacesItAndDropsTheOldBlob() throws IOException {
        store.pull("tiny.gguf", p -> { });
        Path other = TinyGguf.builder().seed(7).write(fixtures.resolve("other/tiny.gguf"));
        ModelEntry e = store.pull(other.toString(), p -> { });
        assertEquals(e.name(), "tiny:latest", "same name");
        assertFalse(Files.exists(root.resolve("blobs/sha256-" + tinyHex)), "the old blob is unused and removed");
        assertEquals(store.list().size(), 1, "one model");
    }

    @Test
    public void copySharesTheBlob() {
        store.pull("tiny.gguf", p -> { });
        store.create("helper", "FROM tiny\nSYSTEM You help.\n", fixtures);
        ModelEntry copy = store.copy("helper", "helper:backup");
        assertEquals(copy.digest(), "sha256:" + tinyHex, "same blob");
        assertEquals(store.resolve("helper:backup").system(), "You help.", "the Modelfile is copied too");
        store.delete("tiny");
        store.delete("helper");
        assertTrue(Files.exists(root.resolve("blobs/sha256-" + tinyHex)), "the copy still uses the blob");
        expectThrows(ModelNotFoundException.class, () -> store.copy("gone", "x"));
    }

    @Test
    public void aFullDiskIsNamedAsSuch() {
        PullException e = Downloader.writeFailed(root.resolve("partial/x.part"),
                new IOException("No space left on device"));
        assertEquals(e.kind(), PullException.Kind.DISK_FULL, e.getMessage());
        assertTrue(e.getMessage().contains("is full") && e.getMessage().contains("resume"), e.getMessage());
        assertEquals(Downloader.writeFailed(root, new IOException("Permission denied")).kind(),
                PullException.Kind.NETWORK, "other write errors are not a full disk");
    }

    @Test
    public void importChecksFreeSpaceFirst() {
        ModelStore small = ModelStore.builder(root).catalogue(Catalogue.empty()).workingDir(fixtures)
                .usableSpace(p -> 10_000).build();
        PullException e = expectThrows(PullException.class, () -> small.pull("tiny.gguf", p -> { }));
        assertEquals(e.kind(), PullException.Kind.DISK_FULL, e.getMessage());
        assertEquals(small.list(), List.of(), "nothing stored");
    }

    @Test
    public void pruneRemovesOrphansButKeepsDownloadsAndLiveImports() throws IOException {
        store.pull("tiny.gguf", p -> { });
        Path orphan = Files.write(root.resolve("blobs/sha256-" + "a".repeat(64)), new byte[100]);
        Path oldImport = Files.write(root.resolve("partial/import-old.part"), new byte[10]);
        Files.setLastModifiedTime(oldImport, java.nio.file.attribute.FileTime.from(NOW.minusSeconds(7200)));
        Path liveImport = Files.write(root.resolve("partial/import-live.part"), new byte[10]);
        Files.setLastModifiedTime(liveImport, java.nio.file.attribute.FileTime.from(NOW.minusSeconds(60)));
        Path download = Files.write(root.resolve("partial/url-0123.part"), new byte[10]);
        Files.setLastModifiedTime(download, java.nio.file.attribute.FileTime.from(NOW.minusSeconds(7200)));
        long freed = store.prune(java.time.Duration.ofHours(1));
        assertEquals(freed, 110L, "the orphan blob and the abandoned import");
        assertFalse(Files.exists(orphan), "orphan blob removed");
        assertFalse(Files.exists(oldImport), "abandoned import removed");
        assertTrue(Files.exists(liveImport), "a recent import may still be running");
        assertTrue(Files.exists(download), "a download stays resumable");
        assertTrue(Files.exists(root.resolve("blobs/sha256-" + tinyHex)), "a used blob stays");
        assertEquals(store.resolve("tiny").digest(), "sha256:" + tinyHex, "the model still resolves");
    }

    @Test
    public void defaultRootFollowsTheEnvironment() {
        assertEquals(ModelStore.defaultRoot(java.util.Map.of("BOTGATE_MODELS", "/m")), Path.of("/m"), "models");
        assertEquals(ModelStore.defaultRoot(java.util.Map.of("BOTGATE_HOME", "/h")), Path.of("/h/models"), "home");
        assertEquals(ModelStore.defaultRoot(java.util.Map.of()),
                Path.of(System.getProperty("user.home"), ".botgate", "models"), "default");
    }
}

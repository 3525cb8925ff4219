package dev.botgate.backend.store;

import dev.botgate.backend.store.PullException.Kind;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

/** Pulls over real HTTP from a local server that can cut, stall, ignore Range and lie. */
public class PullTest {
    /**
     * The test's file server speaks plain http on 127.0.0.1: allowed explicitly, as an operator would a mirror. These
     * tests are about transfers, so they skip the trial load in a child process; the tests at the end keep it.
     */
    static final PullPolicy LOCAL_HTTP = new PullPolicy(List.of("http://127.0.0.1"));
    private byte[] gguf;
    private String hex;
    private Path root;
    private FileServer server;

    @BeforeClass
    public void writeModel() throws IOException {
        Path tmp = Files.createTempFile("pull", ".gguf");
        TinyGguf.builder().write(tmp);
        gguf = Files.readAllBytes(tmp);
        Files.delete(tmp);
        hex = HexFormat.of().formatHex(Downloader.sha256().digest(gguf));
    }

    @BeforeMethod
    public void start() throws IOException {
        root = Files.createTempDirectory("pull-store");
        server = new FileServer(gguf);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() throws IOException {
        server.close();
        Testing.deleteTree(root);
    }

    /** A store for transfer tests: the local server allowed, no trial load. */
    private ModelStore.Builder transfers() {
        return ModelStore.builder(root).pullPolicy(LOCAL_HTTP).withoutProbe();
    }

    private ModelStore store(Catalogue catalogue) {
        return transfers().catalogue(catalogue).retries(0, Duration.ZERO)
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5)).build();
    }

    private ModelStore store() {
        return store(Catalogue.empty());
    }

    private String url() {
        return server.url("/models/tiny.gguf").toString();
    }

    @Test
    public void pullsAUrlWithProgressInOllamasOrder() throws IOException {
        List<PullProgress> events = new ArrayList<>();
        ModelEntry e = store().pull(url(), events::add);
        assertEquals(e.name(), "tiny:latest", "named after the file");
        assertEquals(e.digest(), "sha256:" + hex, "digest computed while downloading");
        assertEquals(e.source(), url(), "source");
        assertEquals(Files.readAllBytes(root.resolve("blobs/sha256-" + hex)), gguf, "the bytes arrived intact");
        List<String> statuses = events.stream().map(PullProgress::status).distinct().toList();
        assertEquals(statuses, List.of("pulling manifest", "downloading", "verifying sha256 digest",
                "writing manifest", "success"), "status order");
        List<PullProgress> downloads = events.stream().filter(p -> p.status().equals("downloading")).toList();
        for (int i = 1; i < downloads.size(); i++) {
            assertTrue(downloads.get(i).completed() >= downloads.get(i - 1).completed(), "completed never shrinks");
        }
        PullProgress last = downloads.getLast();
        assertEquals(last.completed(), gguf.length, "all bytes");
        assertEquals(last.total(), gguf.length, "total from Content-Length");
        assertTrue(partials().isEmpty(), "no partial files left: " + partials());
    }

    @Test
    public void progressCarriesSpeedAndEta() {
        Clock stepping = steppingClock();
        ModelStore store = transfers().catalogue(Catalogue.empty()).clock(stepping).build();
        List<PullProgress> events = new ArrayList<>();
        store.pull(url(), events::add);
        List<PullProgress> moving = events.stream()
                .filter(p -> p.status().equals("downloading") && p.completed() > 0 && p.completed() < p.total())
                .toList();
        assertFalse(moving.isEmpty(), "events while bytes arrive: " + events);
        for (PullProgress p : moving) {
            assertTrue(p.bytesPerSecond() > 0, "speed measured: " + p);
            assertTrue(p.eta().isPresent(), "ETA while bytes remain: " + p);
        }
        PullProgress done = events.stream().filter(p -> p.status().equals("downloading")).toList().getLast();
        assertEquals(done.eta(), Optional.empty(), "no ETA once complete");
    }

    @Test
    public void aSecondPullOfTheSameFileWhileOneRunsIsRefused() throws Exception {
        server.stallAfter = 100_000;
        ModelStore store = transfers().catalogue(Catalogue.empty()).retries(0, Duration.ZERO)
                .readTimeout(Duration.ofSeconds(2)).build();
        CompletableFuture<ModelEntry> first = CompletableFuture.supplyAsync(() -> store.pull(url(), p -> { }));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.requests.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        PullException second = expectThrows(PullException.class, () -> store.pull(url(), "other:latest", p -> { }));
        assertEquals(second.kind(), Kind.IN_PROGRESS, second.getMessage());
        ExecutionException stalled = expectThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertTrue(stalled.getCause() instanceof PullException pe && pe.kind() == Kind.NETWORK,
                "the first pull ends on its own read timeout: " + stalled.getCause());
        assertEquals(server.requests.get(), 1, "the refused pull never reached the server");
    }

    @Test
    public void resumesWithRangeAfterACutConnection() throws IOException {
        server.cutAfter = 300_000;
        server.etag = "\"v1\"";
        ModelStore store = store();
        PullException cut = expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        assertEquals(cut.kind(), Kind.NETWORK, cut.getMessage());
        assertTrue(cut.getMessage().contains("127.0.0.1") && cut.getMessage().contains("resume"), cut.getMessage());
        Path part = partials().stream().filter(p -> p.toString().endsWith(".part")).findFirst().orElseThrow();
        assertEquals(Files.size(part), 300_000L, "the received prefix is kept");
        assertEquals(store.list(), List.of(), "nothing stored yet");

        List<PullProgress> events = new ArrayList<>();
        ModelEntry e = store.pull(url(), events::add);
        assertEquals(server.ranges, List.of("", "bytes=300000-"), "second request asks for the rest");
        assertEquals(server.ifRanges.get(1), "\"v1\"", "If-Range carries the ETag of the first answer");
        assertEquals(e.digest(), "sha256:" + hex, "SHA-256 covers the resumed prefix too");
        assertEquals(Files.readAllBytes(root.resolve("blobs/sha256-" + hex)), gguf, "bytes intact");
        assertEquals(events.stream().filter(p -> p.status().equals("downloading")).findFirst().orElseThrow()
                .completed(), 300_000L, "progress starts at the resumed offset");
    }

    @Test
    public void aListenerThatThrowsCancelsAndTheNextPullResumes() throws IOException {
        ModelStore store = transfers().catalogue(Catalogue.empty()).retries(0, Duration.ZERO)
                .clock(steppingClock()).build();
        IllegalStateException gone = expectThrows(IllegalStateException.class, () -> store.pull(url(), p -> {
            if (p.status().equals("downloading") && p.completed() > 0) {
                throw new IllegalStateException("client went away");
            }
        }));
        assertEquals(gone.getMessage(), "client went away", "the listener's exception comes out");
        long kept = Files.size(partials().stream().filter(p -> p.toString().endsWith(".part")).findFirst()
                .orElseThrow());
        assertTrue(kept > 0 && kept < gguf.length, "a prefix is kept: " + kept);
        assertEquals(store.pull(url(), p -> { }).digest(), "sha256:" + hex, "the next pull completes");
        assertEquals(server.ranges.getLast(), "bytes=" + kept + "-", "by resuming");
    }

    @Test
    public void resumesThroughARedirectLikeHuggingFace() {
        server.cutAfter = 150_000;
        ModelStore store = store();
        String redirecting = server.url("/redirect/models/tiny.gguf").toString();
        expectThrows(PullException.class, () -> store.pull(redirecting, p -> { }));
        ModelEntry e = store.pull(redirecting, p -> { });
        assertEquals(server.ranges, List.of("", "", "bytes=150000-", "bytes=150000-"),
                "the Range header survives the redirect");
        assertEquals(e.digest(), "sha256:" + hex, "digest");
    }

    @Test
    public void resumesByItselfWhenRetriesAreAllowed() {
        server.cutAfter = 200_000;
        ModelStore store = transfers().catalogue(Catalogue.empty()).retries(2, Duration.ZERO).build();
        ModelEntry e = store.pull(url(), p -> { });
        assertEquals(e.digest(), "sha256:" + hex, "complete after one automatic resume");
        assertEquals(server.ranges, List.of("", "bytes=200000-"), "one retry, resumed");
    }

    @Test
    public void restartsCleanlyWhenTheServerIgnoresRange() throws IOException {
        server.cutAfter = 250_000;
        ModelStore store = store();
        expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        server.ignoreRange = true;
        ModelEntry e = store.pull(url(), p -> { });
        assertEquals(server.ranges.get(1), "bytes=250000-", "asked for the rest");
        assertEquals(e.size(), gguf.length, "got 200 with the whole file and did not append it to the prefix");
        assertEquals(e.digest(), "sha256:" + hex, "digest of the whole file");
    }

    @Test
    public void aStaleLongerPartialIsDiscardedOn416() throws IOException {
        ModelStore store = store();
        server.cutAfter = 100_000;
        expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        server.body(java.util.Arrays.copyOf(gguf, 50_000)); // the file shrank on the server
        PullException e = expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        assertEquals(server.ranges.subList(1, 3), List.of("bytes=100000-", ""), "416, then the whole file again");
        assertEquals(e.kind(), Kind.NOT_GGUF, "the shrunken file is a truncated GGUF: " + e.getMessage());
    }

    @Test
    public void notFoundIsNotFound() {
        server.status = 404;
        PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.NOT_FOUND, e.getMessage());
        assertTrue(e.getMessage().contains("404") && e.getMessage().contains(url()), e.getMessage());
    }

    @Test
    public void aLoginWallIsAccessDenied() {
        server.status = 401;
        PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.ACCESS_DENIED, e.getMessage());
        assertTrue(e.getMessage().contains("login"), e.getMessage());
    }

    @Test
    public void aServerErrorIsANetworkError() {
        server.status = 503;
        PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.NETWORK, e.getMessage());
        assertTrue(e.getMessage().contains("503"), e.getMessage());
    }

    @Test
    public void connectionRefusedNamesTheHost() {
        String dead = url();
        int port = server.url("/").getPort();
        server.close();
        PullException e = expectThrows(PullException.class, () -> store().pull(dead, p -> { }));
        assertEquals(e.kind(), Kind.NETWORK, e.getMessage());
        assertTrue(e.getMessage().contains("cannot connect to 127.0.0.1:" + port), e.getMessage());
    }

    @Test
    public void aChecksumMismatchDeletesThePartial() {
        String wrong = "0".repeat(64);
        Catalogue c = Catalogue.of(List.of(new CatalogueEntry("tiny:1m", URI.create(url()), gguf.length,
                Optional.of(wrong), "MIT", "test")));
        PullException e = expectThrows(PullException.class, () -> store(c).pull("tiny:1m", p -> { }));
        assertEquals(e.kind(), Kind.CHECKSUM_MISMATCH, e.getMessage());
        assertTrue(e.getMessage().contains(hex) && e.getMessage().contains(wrong), "both digests: " + e.getMessage());
        assertTrue(partials().stream().noneMatch(p -> p.toString().endsWith(".part")), "partial removed: "
                + partials());
        assertFalse(Files.exists(root.resolve("blobs/sha256-" + hex)), "not stored");
    }

    @Test
    public void aCatalogueNameIsVerifiedAndItsBlobReused() {
        Catalogue c = Catalogue.of(List.of(
                new CatalogueEntry("tiny:1m", URI.create(url()), gguf.length, Optional.of(hex), "MIT", "test"),
                new CatalogueEntry("tiny:latest", URI.create(url()), gguf.length, Optional.of(hex), "MIT", "test")));
        ModelStore store = store(c);
        List<PullProgress> events = new ArrayList<>();
        ModelEntry e = store.pull("tiny:1m", events::add);
        assertEquals(e.name(), "tiny:1m", "stored under the catalogue name");
        assertTrue(events.stream().anyMatch(p -> p.digest().equals("sha256:" + hex)), "progress names the digest");
        store.pull("tiny", p -> { });
        assertEquals(server.requests.get(), 1, "the second name shares the blob without downloading");
        assertEquals(store.list().size(), 2, "two names");
    }

    @Test
    public void anHtmlPageIsRefusedAndDeleted() {
        server.body("<!DOCTYPE html><html><head><title>Log in</title></head><body>...</body></html>"
                .getBytes(StandardCharsets.UTF_8));
        server.contentType = "text/html";
        PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.NOT_GGUF, e.getMessage());
        assertTrue(e.getMessage().contains("HTML") && e.getMessage().contains("deleted"), e.getMessage());
        assertTrue(partials().stream().noneMatch(p -> p.toString().endsWith(".part")), "partial removed");
    }

    @Test
    public void anUnsupportedArchitectureIsRefusedAfterDownload() throws IOException {
        Path tmp = Files.createTempFile("qwen3", ".gguf");
        TinyGguf.builder().architecture("qwen3").write(tmp);
        server.body(Files.readAllBytes(tmp));
        Files.delete(tmp);
        PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.REFUSED, e.getMessage());
        assertTrue(e.getMessage().contains("qwen3"), e.getMessage());
    }

    @Test
    public void notEnoughDiskSpaceIsReportedBeforeDownloading() {
        ModelStore store = transfers().catalogue(Catalogue.empty()).retries(0, Duration.ZERO)
                .usableSpace(p -> 1000).build();
        PullException e = expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.DISK_FULL, e.getMessage());
        assertTrue(e.getMessage().contains("not enough disk space") && e.getMessage().contains("BOTGATE_MODELS"),
                e.getMessage());
    }

    @Test
    public void aStalledServerTimesOut() {
        server.stallAfter = 100_000;
        ModelStore store = transfers().catalogue(Catalogue.empty()).retries(0, Duration.ZERO)
                .readTimeout(Duration.ofSeconds(1)).build();
        long start = System.nanoTime();
        PullException e = expectThrows(PullException.class, () -> store.pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.NETWORK, e.getMessage());
        assertTrue(e.getMessage().contains("no data for 1 s"), e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "gave up after the read timeout, not the stall");
    }

    @Test
    public void aPullAlreadyRunningIsRefused() throws IOException {
        PullSource src = PullSource.parse(url(), Catalogue.empty(), root);
        StoreFiles files = new StoreFiles(root);
        try (StoreFiles.Lock held = files.tryLock(files.partial().resolve(src.partKey() + ".lock")).orElseThrow()) {
            PullException e = expectThrows(PullException.class, () -> store().pull(url(), p -> { }));
            assertEquals(e.kind(), Kind.IN_PROGRESS, e.getMessage());
            assertTrue(e.getMessage().contains("already being pulled"), e.getMessage());
        }
        assertEquals(store().pull(url(), p -> { }).digest(), "sha256:" + hex, "works once the other pull ended");
    }

    @Test
    public void hfReferencesMapToHuggingFace() {
        PullSource s = PullSource.parse("hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf",
                Catalogue.empty(), root);
        assertEquals(s.url().orElseThrow().toString(), "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/"
                + "resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf", "resolve URL");
        assertEquals(s.name().toString(), "qwen2.5-0.5b-instruct-q4_k_m:latest", "named after the file");
        PullException bad = expectThrows(PullException.class,
                () -> PullSource.parse("hf://Qwen/only-repo", Catalogue.empty(), root));
        assertTrue(bad.getMessage().contains("hf://owner/repo/file.gguf"), bad.getMessage());
    }

    @Test
    public void aUrlThatIsNotAGgufFileIsRefusedUpFront() {
        PullException e = expectThrows(PullException.class, () -> store().pull(server.url("/index.html").toString(),
                p -> { }));
        assertEquals(e.kind(), Kind.NOT_FOUND, e.getMessage());
        assertTrue(e.getMessage().contains(".gguf"), e.getMessage());
        assertEquals(server.requests.get(), 0, "nothing was fetched");
    }

    @Test
    public void pullAsStoresUnderTheGivenName() {
        ModelEntry e = store().pull(url(), "house-bot:v2", p -> { });
        assertEquals(e.name(), "house-bot:v2", "explicit name");
    }

    @Test
    public void plainHttpAndUnlistedHostsAreRefusedBeforeAnyRequest() {
        ModelStore hubsOnly = ModelStore.builder(root).catalogue(Catalogue.empty()).build(); // the default policy
        PullException http = expectThrows(PullException.class,
                () -> hubsOnly.pull("http://huggingface.co/o/r/resolve/main/x.gguf", p -> { }));
        assertEquals(http.kind(), Kind.NOT_ALLOWED, http.getMessage());
        assertTrue(http.getMessage().contains("plain http") && http.getMessage().contains("models.pull-hosts"),
                http.getMessage());
        PullException local = expectThrows(PullException.class, () -> hubsOnly.pull(url(), p -> { }));
        assertEquals(local.kind(), Kind.NOT_ALLOWED, local.getMessage());
        assertTrue(local.getMessage().contains("127.0.0.1") && local.getMessage().contains("models.pull-hosts"),
                local.getMessage());
        assertEquals(server.requests.get(), 0, "nothing was fetched");
    }

    @Test
    public void aRedirectToAnUnlistedHostIsNotFollowed() {
        PullException e = expectThrows(PullException.class,
                () -> store().pull(server.url("/elsewhere/models/tiny.gguf").toString(), p -> { }));
        assertEquals(e.kind(), Kind.NOT_ALLOWED, e.getMessage());
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
        assertEquals(server.requests.get(), 1, "only the redirecting request was made");
        assertTrue(store().list().isEmpty(), "nothing stored");
    }

    @Test
    public void redirectsEndAfterFive() {
        String loop = server.url("/redirect".repeat(Downloader.MAX_REDIRECTS + 2) + "/models/tiny.gguf").toString();
        PullException e = expectThrows(PullException.class, () -> store().pull(loop, p -> { }));
        assertTrue(e.getMessage().contains("more than " + Downloader.MAX_REDIRECTS), e.getMessage());
        assertEquals(server.requests.get(), Downloader.MAX_REDIRECTS + 1, "requests");
    }

    @Test
    public void aDownloadThatAbortsLlamaCppIsRefusedAndDeleted() throws IOException {
        Path hostile = TinyGguf.builder().duplicateToken().write(root.resolveSibling(root.getFileName() + "-dup.gguf"));
        server.body(Files.readAllBytes(hostile));
        Files.delete(hostile);
        ModelStore probing = ModelStore.builder(root).pullPolicy(LOCAL_HTTP).catalogue(Catalogue.empty())
                .retries(0, Duration.ZERO).build();
        PullException e = expectThrows(PullException.class, () -> probing.pull(url(), p -> { }));
        assertEquals(e.kind(), Kind.REFUSED, e.getMessage());
        assertTrue(e.getMessage().contains("GGML_ASSERT(id_to_token.size() == token_to_id.size())"), e.getMessage());
        assertTrue(probing.list().isEmpty(), "not stored");
        assertEquals(partials(), List.of(), "the download was deleted");
    }

    /** A clock that moves 100 ms per reading: every chunk becomes a progress event with a known speed. */
    private static Clock steppingClock() {
        return new Clock() {
            private final AtomicLong now = new AtomicLong();

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.addAndGet(100));
            }
        };
    }

    private List<Path> partials() {
        Path dir = root.resolve("partial");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.toString().endsWith(".lock")).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.botgate.backend.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.backend.store.PullException.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams one URL into a {@code .part} file, resuming it with an HTTP Range request where a previous attempt
 * stopped, and computes the SHA-256 of the whole file (the resumed prefix included) on the way.
 *
 * <p>A {@code .part.json} beside the part file remembers the URL and the server's ETag: a part file from another URL
 * is discarded, and the ETag goes into {@code If-Range} so a server whose file changed sends the new file whole
 * (200) instead of a mismatched tail.
 *
 * <p>Redirects are followed here, not by the HTTP client: each hop is checked against the {@link PullPolicy}, at most
 * {@value #MAX_REDIRECTS} of them.
 */
final class Downloader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long PROGRESS_EVERY_MS = 100;
    /** Left free beyond the file itself, so the store never fills the disk to the last byte. */
    static final long DISK_MARGIN = 64L << 20;
    static final int MAX_REDIRECTS = 5;

    private final HttpClient client;
    private final Duration readTimeout;
    private final Clock clock;
    private final ToLongFunction<Path> usableSpace;
    private final PullPolicy policy;

    record Result(String hex, long size) {
    }

    Downloader(HttpClient client, Duration readTimeout, Clock clock, ToLongFunction<Path> usableSpace,
               PullPolicy policy) {
        this.client = client;
        this.policy = policy;
        this.readTimeout = readTimeout;
        this.clock = clock;
        this.usableSpace = usableSpace;
    }

    /**
     * Downloads {@code url} into {@code part}, resuming what is there.
     *
     * @param digest {@code sha256:<hex>} for progress events when known, else empty
     * @throws PullException NOT_FOUND, ACCESS_DENIED, NETWORK (part file kept for the next attempt), DISK_FULL
     */
    Result fetch(URI url, Path part, String digest, Consumer<PullProgress> progress) {
        Path sidecar = part.resolveSibling(part.getFileName() + ".json");
        Optional<String> etag = readSidecar(sidecar, url);
        long have = etag.isPresent() || sizeOf(part) == 0 ? sizeOf(part) : discard(part);
        for (int attempt = 0; ; attempt++) {
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(url, have, etag);
            int status = response.statusCode();
            if (status == 416 && have > 0 && attempt == 0) {
                // The part file is not a prefix the server can continue (it changed, or we have it all): start over.
                cancel(response);
                have = discard(part);
                etag = Optional.empty();
                continue;
            }
            checkStatus(url, status, response);
            long start = 0;
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    cancel(response);
                    if (attempt > 0) {
                        throw new PullException(Kind.NETWORK, url.getHost() + " answered a range request with "
                                + "the wrong range (" + response.headers().firstValue("Content-Range").orElse("none")
                                + "); try again later");
                    }
                    have = discard(part);
                    etag = Optional.empty();
                    continue;
                }
                start = have;
                total = m.group(3).equals("*") ? (total < 0 ? -1 : have + total) : Long.parseLong(m.group(3));
            }
            // A 200 answer to a Range request means the server ignored it (or If-Range saw a changed file):
            // its body is the whole file, so the part file starts again from byte 0.
            Optional<String> newTag = response.headers().firstValue("ETag").filter(t -> !t.startsWith("W/"));
            writeSidecar(sidecar, url, newTag);
            return receive(url, part, response, start, total, digest, progress);
        }
    }

    /** Sends the request, following redirects that the policy allows (a redirect keeps the Range headers). */
    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(URI url, long have, Optional<String> etag) {
        URI at = url;
        for (int hop = 0; ; hop++) {
            policy.check(at);
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = sendOnce(at, have, etag);
            int status = response.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            cancel(response);
            Optional<String> location = response.headers().firstValue("Location");
            if (location.isEmpty()) {
                throw new PullException(Kind.NETWORK, hostPort(at) + " answered HTTP " + status + " without a "
                        + "Location for " + at);
            }
            if (hop >= MAX_REDIRECTS) {
                throw new PullException(Kind.NETWORK, "pull of " + url + " was redirected more than " + MAX_REDIRECTS
                        + " times (last to " + location.get() + ")");
            }
            try {
                at = at.resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new PullException(Kind.NETWORK, hostPort(at) + " redirected to an invalid URL: "
                        + location.get());
            }
        }
    }

    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> sendOnce(URI url, long have, Optional<String> etag) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().timeout(readTimeout)
                .header("User-Agent", "botgate");
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
            etag.filter(t -> !t.isEmpty()).ifPresent(t -> request.header("If-Range", t));
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
        } catch (HttpConnectTimeoutException e) {
            throw network(url, "timed out connecting to " + hostPort(url), e);
        } catch (HttpTimeoutException e) {
            throw network(url, hostPort(url) + " sent no answer within " + readTimeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw network(url, "cannot connect to " + hostPort(url) + " (" + describe(e) + ")", e);
        } catch (IOException e) {
            throw network(url, "request to " + hostPort(url) + " failed (" + describe(e) + ")", e);
        } catch (IllegalArgumentException e) { // includes UnresolvedAddressException
            throw network(url, "cannot reach " + hostPort(url) + " (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException(Kind.NETWORK, "pull from " + url.getHost() + " was interrupted", e);
        }
    }

    private void checkStatus(URI url, int status, HttpResponse<?> response) {
        if (status == 200 || status == 206) {
            return;
        }
        cancel(response);
        String where = url.getHost() + " answered HTTP " + status + " for " + url;
        switch (status) {
            case 404, 410 -> throw new PullException(Kind.NOT_FOUND, where + ": the file does not exist there; "
                    + "check the URL or the model name (botgate pull qwen2.5:0.5b, a https://.../file.gguf URL, "
                    + "hf://owner/repo/file.gguf, or a local .gguf path)");
            case 401, 403 -> throw new PullException(Kind.ACCESS_DENIED, where + ": the file needs a login (a gated "
                    + "Hugging Face repository?); accept its terms and download it in a browser, then pull the local "
                    + "file");
            default -> throw new PullException(Kind.NETWORK, where + "; try again later");
        }
    }

    private Result receive(URI url, Path part, HttpResponse<Flow.Publisher<List<ByteBuffer>>> response, long start,
                           long total, String digest, Consumer<PullProgress> progress) {
        MessageDigest sha = sha256();
        long done = start;
        try {
            if (total > 0) {
                long need = total - start;
                long free = usableSpace.applyAsLong(part.getParent());
                if (need + DISK_MARGIN > free) {
                    cancel(response);
                    throw new PullException(Kind.DISK_FULL, "not enough disk space for " + url.getPath()
                            .substring(url.getPath().lastIndexOf('/') + 1) + ": it needs "
                            + StoreFiles.human(need) + " more, " + StoreFiles.human(free) + " is free in "
                            + part.getParent() + "; free some space (botgate rm unused models) or set BOTGATE_MODELS "
                            + "to a larger disk");
                }
            }
            if (start > 0) {
                hashPrefix(part, start, sha);
            }
        } catch (IOException e) {
            cancel(response);
            throw new PullException(Kind.NETWORK, "cannot read the partial download " + part + ": " + e.getMessage(),
                    e);
        }
        long began = clock.millis();
        long lastEvent = 0;
        progress.accept(PullProgress.transfer("downloading", digest, Math.max(total, 0), done, 0));
        Body body = new Body(response.body());
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                start == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND)) {
            while (true) {
                List<ByteBuffer> chunk;
                try {
                    chunk = body.next(readTimeout);
                } catch (IOException e) {
                    throw interrupted(url, done, total, e);
                }
                if (chunk == null) {
                    break;
                }
                for (ByteBuffer b : chunk) {
                    sha.update(b.duplicate());
                    int n = b.remaining();
                    try {
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                    } catch (IOException e) {
                        body.cancel();
                        throw writeFailed(part, e);
                    }
                    done += n;
                }
                long now = clock.millis();
                if (now - lastEvent >= PROGRESS_EVERY_MS) {
                    lastEvent = now;
                    double rate = now > began ? (done - start) * 1000.0 / (now - began) : 0;
                    progress.accept(PullProgress.transfer("downloading", digest, Math.max(total, done), done, rate));
                }
            }
            out.force(false);
        } catch (IOException e) {
            throw writeFailed(part, e);
        } catch (RuntimeException e) {
            // A listener that throws (its client went away) cancels the pull; the part file stays for a resume.
            body.cancel();
            throw e;
        }
        if (total > 0 && done != total) {
            throw new PullException(Kind.NETWORK, "download from " + url.getHost() + " ended after " + done + " of "
                    + total + " bytes; run the same pull again to resume");
        }
        long now = clock.millis();
        double rate = now > began ? (done - start) * 1000.0 / (now - began) : 0;
        progress.accept(PullProgress.transfer("downloading", digest, done, done, rate));
        return new Result(HexFormat.of().formatHex(sha.digest()), done);
    }

    private static void hashPrefix(Path part, long length, MessageDigest sha) throws IOException {
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("partial file is shorter than " + length + " bytes");
                }
                sha.update(buf, 0, n);
                left -= n;
            }
        }
    }

    private PullException interrupted(URI url, long done, long total, IOException e) {
        String of = total > 0 ? " of " + total : "";
        return network(url, "download from " + hostPort(url) + " broke off after " + done + of + " bytes ("
                + describe(e) + "); run the same pull again to resume", e);
    }

    static PullException writeFailed(Path part, IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left on device") || msg.contains("Disk quota exceeded")) {
            return new PullException(Kind.DISK_FULL, "the disk holding " + part.getParent() + " is full; free some "
                    + "space (botgate rm unused models) or set BOTGATE_MODELS to a larger disk, then pull again to "
                    + "resume", e);
        }
        return new PullException(Kind.NETWORK, "cannot write " + part + ": " + msg, e);
    }

    private static PullException network(URI url, String message, Throwable cause) {
        return new PullException(Kind.NETWORK, message, cause);
    }

    private static String hostPort(URI url) {
        return url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void cancel(HttpResponse<?> response) {
        if (response.body() instanceof Flow.Publisher<?> p) {
            // Subscribing and cancelling at once releases the connection without reading the body.
            p.subscribe(new Flow.Subscriber<Object>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.cancel();
                }

                @Override
                public void onNext(Object item) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                }
            });
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long discard(Path part) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            throw new PullException(Kind.NETWORK, "cannot remove the stale partial download " + part + ": "
                    + e.getMessage(), e);
        }
        return 0;
    }

    /** The remembered ETag when the part file belongs to {@code url}; empty (and the part file gone) otherwise. */
    private static Optional<String> readSidecar(Path sidecar, URI url) {
        try {
            if (!Files.exists(sidecar)) {
                return Optional.empty();
            }
            JsonNode node = JSON.readTree(sidecar.toFile());
            if (!url.toString().equals(node.path("url").asText())) {
                discard(sidecar.resolveSibling(sidecar.getFileName().toString().replaceFirst("\\.json$", "")));
                return Optional.empty();
            }
            String tag = node.path("etag").asText("");
            // An empty tag still marks the part file as this URL's: resume it, just without If-Range.
            return Optional.of(tag);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void writeSidecar(Path sidecar, URI url, Optional<String> etag) {
        ObjectNode node = JSON.createObjectNode().put("url", url.toString()).put("etag", etag.orElse(""));
        try {
            Files.writeString(sidecar, node.toString());
        } catch (IOException e) {
            throw new PullException(Kind.NETWORK, "cannot write " + sidecar + ": " + e.getMessage(), e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Pulls the response body one batch at a time with a deadline per batch: the JDK client has no read timeout of
     * its own once the headers are in, and a stalled server must not hang a pull forever.
     */
    private static final class Body implements Flow.Subscriber<List<ByteBuffer>> {
        private static final Object END = new Object();
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;

        Body(Flow.Publisher<List<ByteBuffer>> publisher) {
            publisher.subscribe(this);
        }

        /** The next batch, or {@code null} at the end of the body. */
        List<ByteBuffer> next(Duration timeout) throws IOException {
            Object item;
            try {
                item = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted");
            }
            if (item == null) {
                cancel();
                throw new IOException("no data for " + timeout.toSeconds() + " s");
            }
            if (item instanceof Throwable t) {
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            if (item == END) {
                return null;
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> chunk = (List<ByteBuffer>) item;
            subscription.request(1);
            return chunk;
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            queue.add(item);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }
    }
}

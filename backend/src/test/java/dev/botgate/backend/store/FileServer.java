package dev.botgate.backend.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on a free local port that serves one byte array at any path, with Range support and faults a
 * test can switch on: cut the connection after N bytes, ignore Range, answer a fixed status, stall.
 */
final class FileServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private final HttpServer server;
    private volatile byte[] body;
    /** Cut the connection after this many body bytes, on the first {@link #cutsLeft} requests. */
    volatile long cutAfter = -1;
    final AtomicInteger cutsLeft = new AtomicInteger(1);
    volatile boolean ignoreRange;
    volatile int status = 200;
    volatile String contentType = "application/octet-stream";
    /** Stop sending (but keep the connection open) after this many bytes. */
    volatile long stallAfter = -1;
    volatile String etag;
    final List<String> ranges = new CopyOnWriteArrayList<>();
    final List<String> ifRanges = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();

    FileServer(byte[] body) throws IOException {
        this.body = body;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void body(byte[] b) {
        this.body = b;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        ifRanges.add(ifRange == null ? "" : ifRange);
        byte[] data = body;
        String path = ex.getRequestURI().getPath();
        if (path.startsWith("/redirect/")) {
            // Like Hugging Face's resolve/main URLs, which answer 302 to a CDN address.
            ex.getResponseHeaders().set("Location", path.substring("/redirect".length()));
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        if (path.startsWith("/elsewhere/")) {
            // A redirect to another host (localhost is not 127.0.0.1 to an allow-list).
            ex.getResponseHeaders().set("Location", "http://localhost:" + server.getAddress().getPort()
                    + path.substring("/elsewhere".length()));
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        if (status != 200) {
            byte[] msg = ("<html><body>error " + status + "</body></html>").getBytes();
            ex.sendResponseHeaders(status, msg.length);
            ex.getResponseBody().write(msg);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (etag != null) {
            ex.getResponseHeaders().set("ETag", etag);
        }
        long start = 0;
        Matcher m = RANGE.matcher(range == null ? "" : range);
        boolean partial = !ignoreRange && m.matches();
        if (partial) {
            start = Long.parseLong(m.group(1));
            if (start >= data.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/"
                    + data.length);
            ex.sendResponseHeaders(206, data.length - start);
        } else {
            ex.sendResponseHeaders(200, data.length);
        }
        OutputStream out = ex.getResponseBody();
        long limit = data.length;
        boolean cut = cutAfter >= 0 && cutsLeft.getAndDecrement() > 0;
        if (cut) {
            limit = Math.min(limit, start + cutAfter);
        }
        try {
            for (long i = start; i < limit; i += 8192) {
                int n = (int) Math.min(8192, limit - i);
                out.write(data, (int) i, n);
                if (stallAfter >= 0 && i + n >= stallAfter) {
                    out.flush();
                    Thread.sleep(30_000);
                    return;
                }
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException e) {
            return; // the client went away
        }
        // With fewer bytes than Content-Length written (a cut), close() drops the connection: a network cut.
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

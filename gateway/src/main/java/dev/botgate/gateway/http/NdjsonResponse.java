package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A streamed response of JSON lines (or SSE frames) opened lazily: until the first frame is written the response
 * can still become a proper HTTP error, as STYLE R7 asks.
 */
final class NdjsonResponse implements AutoCloseable {
    private final ServerResponse res;
    private final String contentType;
    private OutputStream out;
    private boolean autoFlush = true;

    NdjsonResponse(ServerResponse res, String contentType) {
        this.res = res;
        this.contentType = contentType;
    }

    boolean started() {
        return out != null;
    }

    /** Writes one JSON value as a line. */
    void line(Object value) throws IOException {
        raw(concat(Json.bytes(value), "\n"));
    }

    /** Writes one server-sent event carrying JSON. */
    void event(Object value) throws IOException {
        raw(concat(concat("data: ".getBytes(), Json.bytes(value)), "\n\n"));
    }

    void raw(byte[] bytes) throws IOException {
        if (out == null) {
            res.header(HeaderNames.CONTENT_TYPE, contentType);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            out = res.outputStream();
        }
        out.write(bytes);
        if (autoFlush) {
            out.flush();
        }
    }

    /**
     * Stops flushing after every frame; the caller flushes with {@link #flush()} (a generation writes all the tokens
     * that are ready, then flushes once).
     */
    void batched() {
        autoFlush = false;
    }

    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    private static byte[] concat(byte[] a, String b) {
        return concat(a, b.getBytes());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

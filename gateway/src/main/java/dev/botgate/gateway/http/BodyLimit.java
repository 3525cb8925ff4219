package dev.botgate.gateway.http;

import io.helidon.http.HttpException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses oversized bodies with 413. A declared {@code Content-Length} over the limit is refused before anything is
 * read; every body is also counted as it is read, so one sent without a length (chunked) is cut off with 413 the
 * moment it passes the limit, and the connection is closed instead of reading the rest. Knowledge-base uploads have
 * {@code knowledge.max-upload-bytes}, platform callbacks {@code server.max-hook-body-bytes}, everything else
 * {@code server.max-body-bytes}.
 */
public final class BodyLimit implements Filter {
    private final long maxBody;
    private final long maxUpload;
    private final long maxHook;

    public BodyLimit(long maxBody, long maxUpload, long maxHook) {
        this.maxBody = maxBody;
        this.maxUpload = maxUpload;
        this.maxHook = maxHook;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        BodyKind kind = BodyKind.of(req.path().absolute().path());
        long limit = switch (kind) {
            case BLOB -> Long.MAX_VALUE; // a model file; admin-only, checked by the store when a model is created
            case UPLOAD -> maxUpload;
            case HOOK -> maxHook;
            default -> maxBody;
        };
        String key = switch (kind) {
            case UPLOAD -> "knowledge.max-upload-bytes";
            case HOOK -> "server.max-hook-body-bytes";
            default -> "server.max-body-bytes";
        };
        long length = req.headers().contentLength().orElse(-1L);
        if (length > limit) {
            HttpErrors.send(req, res, 413, "request body is " + length + " bytes; the limit is " + limit + " (" + key
                    + ")");
            return;
        }
        // Also applies when Helidon drains an unread body after the response: that stops at the limit too.
        req.streamFilter(in -> new Counted(in, limit, key));
        chain.proceed();
    }

    /** Counts the bytes read and fails with 413 once they pass the limit. */
    private static final class Counted extends FilterInputStream {
        private final long limit;
        private final String key;
        private long read;

        Counted(InputStream in, long limit, String key) {
            super(in);
            this.limit = limit;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = super.read();
            } catch (RuntimeException e) {
                throw unreadable(e);
            }
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(buf, off, len);
            } catch (RuntimeException e) {
                throw unreadable(e);
            }
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped;
            try {
                skipped = super.skip(n);
            } catch (RuntimeException e) {
                throw unreadable(e);
            }
            count(skipped);
            return skipped;
        }

        /**
         * Helidon reports a body the client broke off or framed wrongly with unchecked exceptions of its parser
         * (NumberFormatException for a bad chunk size, InsufficientDataAvailableException for a closed connection):
         * the client's fault, answered 400 without a stack trace.
         */
        private static RuntimeException unreadable(RuntimeException e) {
            if (e instanceof HttpException || e instanceof BadRequestException) {
                return e;   // already a status (e.g. Helidon's own payload limit)
            }
            String why = e instanceof NumberFormatException ? "malformed chunked encoding"
                    : e.getClass().getSimpleName().contains("InsufficientData")
                    ? "the connection closed before the body was complete"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new BadRequestException("could not read the request body: " + why);
        }

        private void count(long n) {
            read += n;
            if (read > limit) {
                throw new BadRequestException(413, "request body is over the limit of " + limit + " bytes (" + key
                        + ")");
            }
        }
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Answers {@code HEAD} for every {@code GET} (Ollama's Go client checks the server with {@code HEAD /}): the request
 * is routed as a {@code GET} and what the handler writes is dropped, so status and headers are the GET's. Helidon 4
 * neither routes HEAD to GET handlers nor drops a HEAD response's body by itself. The one difference from the GET:
 * {@code Content-Length} is 0, since the length is only known from bytes that are never written.
 */
public final class HeadRequests implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        HttpPrologue p = req.prologue();
        if (p.method().equals(Method.HEAD)) {
            req.prologue(HttpPrologue.create(p.rawProtocol(), p.protocol(), p.protocolVersion(), Method.GET,
                    p.uriPath(), p.query(), p.fragment()));
            res.streamFilter(Discarding::new);
        }
        chain.proceed();
    }

    /** Drops the body, but closes the real stream so the response completes. */
    private static final class Discarding extends OutputStream {
        private final OutputStream out;

        Discarding(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}

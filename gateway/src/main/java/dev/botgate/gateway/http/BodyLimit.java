package dev.botgate.gateway.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Refuses oversized bodies with 413 before a handler reads them. Uploads to a knowledge base have their own, larger
 * limit; every other route (API calls, platform callbacks) has {@code server.max-body-bytes}. The web server's own
 * payload limit, set to the larger of the two, covers bodies sent without a length.
 */
public final class BodyLimit implements Filter {
    private final long maxBody;
    private final long maxUpload;

    public BodyLimit(long maxBody, long maxUpload) {
        this.maxBody = maxBody;
        this.maxUpload = maxUpload;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long length = req.headers().contentLength().orElse(-1L);
        boolean upload = req.path().absolute().path().startsWith("/admin/kb/") && req.path().absolute().path().endsWith("/upload");
        long limit = upload ? maxUpload : maxBody;
        if (length > limit) {
            HttpErrors.send(req, res, 413, "request body is " + length + " bytes; the limit is " + limit + " ("
                    + (upload ? "knowledge.max-upload-bytes" : "server.max-body-bytes") + ")");
            return;
        }
        chain.proceed();
    }
}

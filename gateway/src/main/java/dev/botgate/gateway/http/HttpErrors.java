package dev.botgate.gateway.http;

import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.EngineUnavailableException;
import dev.botgate.backend.engine.InvalidRequestException;
import dev.botgate.backend.engine.ModelNotFoundException;
import dev.botgate.backend.engine.QueueFullException;
import dev.botgate.knowledge.index.KnowledgeException;
import dev.botgate.knowledge.ingest.IngestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps exceptions to HTTP in one place (STYLE R7). The body shape follows the namespace: OpenAI's
 * {@code {"error":{"message","type","code"}}} under {@code /v1}, {@code {"error":"..."}} everywhere else (Ollama's
 * shape, also used by the admin API).
 */
public final class HttpErrors {
    private static final System.Logger LOG = System.getLogger(HttpErrors.class.getName());

    private HttpErrors() {
    }

    /**
     * Registers the handlers.
     *
     * @param routes the registered routes, to tell a wrong method (405) from an unknown path (404)
     */
    public static void register(HttpRouting.Builder routing, RouteTable routes) {
        // Helidon answers "no route matched" by throwing NotFoundException, also for a known path and another method.
        routing.error(NotFoundException.class, (req, res, e) -> notFound(req, res, routes));
        // Helidon's own refusals (bad request, payload too large, ...): the client's fault, so no stack trace.
        routing.error(HttpException.class, (req, res, e) -> {
            int status = e.status().code();
            LOG.log(status >= 500 ? Level.WARNING : Level.DEBUG, () -> status + " on " + req.prologue().method()
                    + " " + req.path().absolute().path() + ": " + e.getMessage());
            send(req, res, status, e.getMessage());
        });
        // Reading a request whose client reset the connection, or sent a broken body: one line, no trace.
        routing.error(UncheckedIOException.class, (req, res, e) -> {
            LOG.log(Level.DEBUG, () -> "could not read the request to " + req.path().absolute().path() + ": "
                    + e.getMessage());
            send(req, res, 400, "could not read the request body: " + e.getMessage());
        });
        routing.error(IllegalStateException.class, (req, res, e) -> {
            if (!req.content().hasEntity()) {
                // A handler asked for a body that was never sent (e.g. DELETE /api/delete without one).
                send(req, res, 400, "request body is empty: send a JSON object with 'Content-Type: application/json'");
                return;
            }
            unexpected(req, res, e);
        });
        routing.error(BadRequestException.class, (req, res, e) -> send(req, res, e.status(), e.getMessage()));
        routing.error(ModelNotFoundException.class, (req, res, e) -> send(req, res, 404, e.getMessage()));
        routing.error(QueueFullException.class, (req, res, e) -> {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            send(req, res, 503, e.getMessage());
        });
        routing.error(EngineUnavailableException.class, (req, res, e) -> {
            int status = switch (e.reason()) {
                case FAILED -> 502;
                case DOWN, OVERLOADED -> 503;
                case TIMEOUT -> 504;
            };
            if (status == 503) {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            }
            LOG.log(Level.WARNING, "engine unavailable on " + req.path().absolute().path() + ": " + e.getMessage());
            send(req, res, status, e.getMessage());
        });
        routing.error(InvalidRequestException.class, (req, res, e) -> send(req, res, 400, e.getMessage()));
        routing.error(KnowledgeException.class, (req, res, e) -> send(req, res, 400, e.getMessage()));
        routing.error(IngestException.class, (req, res, e) -> send(req, res, 400, e.getMessage()));
        routing.error(EngineException.class, (req, res, e) -> {
            LOG.log(Level.WARNING, "engine error on " + req.path().absolute().path() + ": " + e.getMessage());
            send(req, res, 500, e.getMessage());
        });
        routing.error(RuntimeException.class, HttpErrors::unexpected);
    }

    /** A bug: the only case that logs a stack trace. */
    private static void unexpected(ServerRequest req, ServerResponse res, RuntimeException e) {
        LOG.log(Level.ERROR, "unexpected error on " + req.prologue().method() + " " + req.path().absolute().path(), e);
        send(req, res, 500, "internal error: " + e.getClass().getSimpleName() + "; see the server log");
    }

    /** 404 for an unknown path; 405 with {@code Allow} for a known path and another method; OPTIONS lists them. */
    private static void notFound(ServerRequest req, ServerResponse res, RouteTable routes) {
        String path = req.path().absolute().path();
        String method = req.prologue().method().text();
        Set<String> allowed = routes.allowed(path);
        if (allowed.isEmpty() || allowed.contains(method)) {
            send(req, res, 404, "no such endpoint: " + method + " " + clip(path));
            return;
        }
        Set<String> withOptions = new TreeSet<>(allowed);
        withOptions.add(Method.OPTIONS.text());
        res.header(HeaderNames.ALLOW, String.join(", ", withOptions));
        if (method.equals(Method.OPTIONS.text())) {
            CrossSiteGuard.corsHeaders(req, res);
            res.status(Status.NO_CONTENT_204);
            res.send();
            return;
        }
        send(req, res, 405, "method " + method + " is not allowed on " + clip(path) + "; use "
                + String.join(" or ", allowed));
    }

    /** Writes an error in the namespace's shape, unless the response was already started. */
    public static void send(ServerRequest req, ServerResponse res, int status, String message) {
        if (res.isSent()) {
            return;
        }
        CrossSiteGuard.corsHeaders(req, res);
        if (status == 413) {
            // Do not read the rest of an oversized body just to keep the connection.
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body(req.path().absolute().path(), status,
                message == null ? Status.create(status).reasonPhrase() : message)));
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static Object body(String path, int status, String message) {
        if (path.startsWith("/v1/") || path.equals("/v1")) {
            String type = switch (status) {
                case 401 -> "authentication_error";
                case 404 -> "not_found_error";
                case 403 -> "permission_error";
                case 429, 503 -> "server_busy";
                case 502, 504 -> "upstream_error";
                default -> status >= 500 ? "server_error" : "invalid_request_error";
            };
            return Map.of("error", Map.of("message", message, "type", type, "code", status));
        }
        return Map.of("error", message);
    }
}

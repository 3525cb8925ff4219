package dev.botgate.gateway.http;

import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.EngineUnavailableException;
import dev.botgate.backend.engine.InvalidRequestException;
import dev.botgate.backend.engine.ModelNotFoundException;
import dev.botgate.backend.engine.QueueFullException;
import dev.botgate.knowledge.index.KnowledgeException;
import dev.botgate.knowledge.ingest.IngestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * Maps exceptions to HTTP in one place (STYLE R7). The body shape follows the namespace: OpenAI's
 * {@code {"error":{"message","type","code"}}} under {@code /v1}, {@code {"error":"..."}} everywhere else (Ollama's
 * shape, also used by the admin API).
 */
public final class HttpErrors {
    private static final System.Logger LOG = System.getLogger(HttpErrors.class.getName());

    private HttpErrors() {
    }

    /** Registers the handlers. */
    public static void register(HttpRouting.Builder routing) {
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
        routing.error(RuntimeException.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "unexpected error on " + req.prologue().method() + " " + req.path().absolute().path(), e);
            send(req, res, 500, "internal error: " + e.getClass().getSimpleName() + "; see the server log");
        });
    }

    /** Writes an error in the namespace's shape, unless the response was already started. */
    public static void send(ServerRequest req, ServerResponse res, int status, String message) {
        if (res.isSent()) {
            return;
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body(req.path().absolute().path(), status, message)));
    }

    static Object body(String path, int status, String message) {
        if (path.startsWith("/v1/")) {
            String type = switch (status) {
                case 401 -> "authentication_error";
                case 404 -> "not_found_error";
                case 429, 503 -> "server_busy";
                case 502, 504 -> "upstream_error";
                default -> status >= 500 ? "server_error" : "invalid_request_error";
            };
            return Map.of("error", Map.of("message", message, "type", type, "code", status));
        }
        return Map.of("error", message);
    }
}

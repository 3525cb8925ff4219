package dev.botgate.backend.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine that serves the model cannot answer now: no server reachable, every server taken out after failures, a
 * server that did not start answering in time, or one that reported itself overloaded. The message names the engine
 * and the cause. The gateway answers 502 (failed), 503 (down or overloaded, with Retry-After) or 504 (timeout);
 * a bot gives its busy reply.
 */
public class EngineUnavailableException extends EngineException {
    /** Why the engine could not answer. */
    public enum Reason {
        /** No server could be reached, or each failed or refused before answering (HTTP 502). */
        FAILED,
        /** Every server is taken out after failures and waits for its health check (HTTP 503). */
        DOWN,
        /** A server said it is overloaded (HTTP 429 or 503 upstream) and no other could take the request (503). */
        OVERLOADED,
        /** No server started answering within the first-token timeout (HTTP 504). */
        TIMEOUT
    }

    private final Reason reason;
    private final Duration retryAfter;

    public EngineUnavailableException(Reason reason, String message, Duration retryAfter) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Reason reason() {
        return reason;
    }

    /** When trying again makes sense. */
    public Duration retryAfter() {
        return retryAfter;
    }
}

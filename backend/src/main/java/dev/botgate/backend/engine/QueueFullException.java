package dev.botgate.backend.engine;

import java.time.Duration;

/** Too many requests are waiting (HTTP 503 with Retry-After). */
public class QueueFullException extends EngineException {
    private final Duration retryAfter;

    public QueueFullException(int capacity, Duration retryAfter) {
        super("server busy: " + capacity + " requests already waiting, retry later");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

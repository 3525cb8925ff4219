package dev.botgate.backend.engine.remote;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server of an engine's pool and its circuit breaker: a server that cannot be connected to is taken out at once,
 * one that fails {@value #FAILURES_TO_TRIP} times in a row is taken out too; the engine's health check brings it back
 * after its first good answer.
 */
final class RemoteServer {
    static final int FAILURES_TO_TRIP = 3;
    final URI base;
    final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder requests = new LongAdder();
    final LongAdder failures = new LongAdder();
    private volatile boolean up = true;
    private int consecutiveFailures;
    private volatile String lastError = "";
    private volatile Instant lastErrorAt;
    private volatile Instant downSince;
    private volatile long latencyNanos = -1;

    RemoteServer(URI base) {
        this.base = base;
    }

    boolean up() {
        return up;
    }

    /** A request began streaming: the failure streak ends. */
    synchronized void streamed(long headersNanos) {
        consecutiveFailures = 0;
        latencyNanos = headersNanos;
    }

    /** An attempt failed; trips the breaker for a connection failure, or after a streak of failures. */
    synchronized void failed(RemoteOutcome.Kind kind, String message, Instant now) {
        failures.increment();
        lastError = kind.label() + ": " + message;
        lastErrorAt = now;
        if (kind == RemoteOutcome.Kind.OVERLOADED || kind == RemoteOutcome.Kind.REJECTED) {
            return; // the server is alive; busy or refusing this request is no reason to take it out
        }
        consecutiveFailures++;
        if (kind == RemoteOutcome.Kind.CONNECT || consecutiveFailures >= FAILURES_TO_TRIP) {
            if (up) {
                downSince = now;
            }
            up = false;
        }
    }

    /** The health check's result. */
    synchronized void checked(boolean ok, long nanos, String error, Instant now) {
        if (ok) {
            latencyNanos = nanos;
            consecutiveFailures = 0;
            up = true;
            downSince = null;
        } else {
            lastError = "health check: " + error;
            lastErrorAt = now;
            if (up) {
                downSince = now;
            }
            up = false;
        }
    }

    ServerStatus status() {
        long l = latencyNanos;
        return new ServerStatus(base.toString(), up, lastError, Optional.ofNullable(lastErrorAt),
                Optional.ofNullable(downSince), l < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(l)),
                inFlight.get(), requests.sum(), failures.sum());
    }
}

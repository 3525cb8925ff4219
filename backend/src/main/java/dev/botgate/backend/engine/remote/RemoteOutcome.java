package dev.botgate.backend.engine.remote;

import java.net.URI;
import java.util.Objects;

/**
 * How one request to one server ended, for metrics: a generation that streamed, or an attempt that failed (each
 * attempt on each server of a pool is reported).
 *
 * @param engine           the engine's name
 * @param model            Botgate's name of the model
 * @param server           the server's base URL
 * @param kind             how it ended
 * @param firstTokenNanos  from sending to the first token, 0 when none came
 * @param completionTokens tokens generated (the server's count when it reports one, else the pieces streamed)
 * @param generateNanos    from the first to the last token
 */
public record RemoteOutcome(String engine, String model, URI server, Kind kind, long firstTokenNanos,
                            int completionTokens, long generateNanos) {
    public RemoteOutcome {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(kind, "kind");
    }

    /** How a request ended; every kind but OK and CANCELLED is an error, named in metrics by {@link #label}. */
    public enum Kind {
        OK, CANCELLED,
        /** The connection could not be opened (refused, no route, connect timeout). */
        CONNECT,
        /** No first token within the first-token timeout, or the stream fell silent past the read timeout. */
        TIMEOUT,
        /** The server answered 5xx (but not 503). */
        SERVER_ERROR,
        /** The server answered 429 or 503. */
        OVERLOADED,
        /** The server refused the request itself (4xx): not retried on another server. */
        REJECTED,
        /** The stream broke off, or carried an error or something unreadable. */
        BROKEN,
        /** No server was up to try: refused at once (reported with the pool's first server). */
        DOWN;

        /** The metrics label. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether another server of the pool may succeed where this one failed. */
        boolean retryable() {
            return this == CONNECT || this == TIMEOUT || this == SERVER_ERROR || this == OVERLOADED || this == BROKEN;
        }
    }

    /** Receives outcomes; called on engine threads, must not block. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = o -> { };

        void finished(RemoteOutcome outcome);
    }
}

package dev.botgate.adapters.delivery;

import dev.botgate.adapters.ChannelHealth;

import java.time.Clock;
import java.util.Optional;

/** The mutable health of one adapter's link; {@link #snapshot()} gives the immutable view. Thread-safe. */
public final class HealthRecord {
    private final Clock clock;
    private ChannelHealth current = ChannelHealth.ok();

    /** A healthy record. */
    public HealthRecord(Clock clock) {
        this.clock = clock;
    }

    /** A failure an operator must look at; {@code message} says what to do and holds no secret. */
    public synchronized void failed(String message, boolean tokenProblem) {
        current = new ChannelHealth(false, tokenProblem ? false : current.tokenOk(), Optional.of(message),
                Optional.of(clock.instant()));
    }

    /** A token was fetched. */
    public synchronized void tokenFetched() {
        current = new ChannelHealth(current.healthy(), true, current.lastError(), current.lastErrorAt());
    }

    /** A call succeeded: healthy again; the last error stays visible for operators. */
    public synchronized void succeeded() {
        current = new ChannelHealth(true, current.tokenOk(), current.lastError(), current.lastErrorAt());
    }

    /** The current view. */
    public synchronized ChannelHealth snapshot() {
        return current;
    }
}

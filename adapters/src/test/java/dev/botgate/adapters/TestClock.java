package dev.botgate.adapters;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when told, and a {@link Sleeper} that advances it and records each wait. */
public final class TestClock extends Clock implements Sleeper {
    private Instant now;
    private final List<Duration> sleeps = new ArrayList<>();

    /** Starts at {@code start}. */
    public TestClock(Instant start) {
        this.now = start;
    }

    /** Moves time forward. */
    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    /** Sets the time. */
    public synchronized void set(Instant t) {
        now = t;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        now = now.plus(duration);
    }

    /** The waits requested so far. */
    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    /** Options with this clock as clock and sleeper, and fast timeouts. */
    public AdapterOptions options() {
        return new AdapterOptions(this, this, Duration.ofSeconds(2), RetryPolicy.defaults(), Duration.ofMinutes(5));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }
}

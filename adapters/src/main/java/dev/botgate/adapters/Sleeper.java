package dev.botgate.adapters;

import java.time.Duration;

/** Waits between retries and stream edits; tests pass one that records and advances a clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread. */
    Sleeper SYSTEM = d -> Thread.sleep(d);

    /** Waits for the duration. */
    void sleep(Duration duration) throws InterruptedException;
}

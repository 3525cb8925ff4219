package dev.botgate.adapters.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The bot's own id on its platform (Slack user id, Feishu open_id), looked up in the background so that a callback,
 * which must be answered within seconds, never waits on a slow platform API for longer than it allows. Started when
 * the adapter is built; after a failure it is tried again, at most once per {@code retryEvery}, when next asked.
 */
public final class IdentityLookup {
    private final Supplier<Optional<String>> fetch;
    private final Clock clock;
    private final Duration retryEvery;
    private CompletableFuture<Optional<String>> current;
    private Instant startedAt;

    /**
     * @param fetch      the lookup; empty or an exception when it failed (it logs its own reason)
     * @param clock      time source
     * @param retryEvery least time between two attempts after a failure
     */
    public IdentityLookup(Supplier<Optional<String>> fetch, Clock clock, Duration retryEvery) {
        this.fetch = fetch;
        this.clock = clock;
        this.retryEvery = retryEvery;
    }

    /** Starts the first lookup on a virtual thread. */
    public synchronized IdentityLookup start() {
        if (current == null) {
            launch();
        }
        return this;
    }

    private void launch() {
        startedAt = clock.instant();
        CompletableFuture<Optional<String>> f = new CompletableFuture<>();
        current = f;
        Thread.ofVirtual().name("identity-lookup").start(() -> {
            try {
                f.complete(fetch.get());
            } catch (RuntimeException e) {
                f.complete(Optional.empty());
            }
        });
    }

    /** The id if known, waiting at most {@code wait} for a lookup in flight; empty when unknown. */
    public Optional<String> get(Duration wait) {
        CompletableFuture<Optional<String>> f;
        synchronized (this) {
            if (current == null || (current.isDone() && current.join().isEmpty()
                    && !clock.instant().isBefore(startedAt.plus(retryEvery)))) {
                launch();
            }
            f = current;
        }
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

package dev.botgate.adapters;

import java.time.Duration;
import java.util.Objects;

/**
 * How outbound platform calls are retried inside one {@code send}: timeouts, connection failures and 5xx are tried
 * again up to {@code maxAttempts} times with exponential backoff; a 429 waits the platform's Retry-After when it is
 * at most {@code maxRetryAfter}, else the send fails retryable with that wait for the gateway to schedule.
 *
 * @param maxAttempts    attempts in all, at least 1
 * @param initialBackoff wait after the first failure; doubled each time
 * @param maxBackoff     cap of one wait
 * @param maxRetryAfter  the longest Retry-After honoured in place
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    /** Validates. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    }

    /** 4 attempts, 500 ms doubling to at most 8 s, Retry-After honoured up to 30 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(30));
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    public Duration backoff(int attempt) {
        Duration d = initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}

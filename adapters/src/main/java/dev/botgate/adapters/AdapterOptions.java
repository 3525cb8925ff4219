package dev.botgate.adapters;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What every adapter takes besides its own platform settings.
 *
 * @param clock           time for signature windows, token expiry and stream throttling
 * @param sleeper         waits between retries and throttled edits
 * @param requestTimeout  connect and read timeout of one outbound call
 * @param retry           retries of outbound calls
 * @param signatureWindow how far a signed callback's timestamp may be from {@code clock} in either direction
 *                        (Slack, WeCom, Official Account); 5 minutes by default
 */
public record AdapterOptions(Clock clock, Sleeper sleeper, Duration requestTimeout, RetryPolicy retry,
                             Duration signatureWindow) {

    /** Validates. */
    public AdapterOptions {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(signatureWindow, "signatureWindow");
    }

    /** System clock, real sleeps, 10 s timeouts, {@link RetryPolicy#defaults()}, 5 minute window. */
    public static AdapterOptions defaults() {
        return new AdapterOptions(Clock.systemUTC(), Sleeper.SYSTEM, Duration.ofSeconds(10), RetryPolicy.defaults(),
                Duration.ofMinutes(5));
    }

    /** Whether a signed request's timestamp (epoch seconds) lies within {@link #signatureWindow()} of the clock. */
    public boolean withinSignatureWindow(long epochSeconds) {
        return Math.abs(clock.instant().getEpochSecond() - epochSeconds) <= signatureWindow.toSeconds();
    }

    /** A copy with another clock and sleeper (tests). */
    public AdapterOptions with(Clock clock, Sleeper sleeper) {
        return new AdapterOptions(clock, sleeper, requestTimeout, retry, signatureWindow);
    }

    /** A copy with another retry policy. */
    public AdapterOptions with(RetryPolicy retry) {
        return new AdapterOptions(clock, sleeper, requestTimeout, retry, signatureWindow);
    }
}

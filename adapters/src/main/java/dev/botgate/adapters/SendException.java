package dev.botgate.adapters;

import java.time.Duration;
import java.util.Optional;

/** Sending to a platform failed after the adapter's own retries. */
public final class SendException extends AdapterException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final transient Optional<Duration> retryAfter;

    /**
     * @param message    what happened and what to do; no secrets
     * @param retryable  true when trying again later may succeed (timeouts, 5xx, rate limits); false for refusals
     *                   that need an operator (bad credentials, IP not trusted, user out of the reply window)
     * @param retryAfter how long the platform asked to wait, when it said so
     */
    public SendException(String message, boolean retryable, Optional<Duration> retryAfter) {
        super(message);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A failure that will not go away by retrying. */
    public static SendException permanent(String message) {
        return new SendException(message, false, Optional.empty());
    }

    /** A failure worth retrying later. */
    public static SendException transientFailure(String message) {
        return new SendException(message, true, Optional.empty());
    }

    /** Whether retrying later may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The platform's requested wait, if it gave one. */
    public Optional<Duration> retryAfter() {
        return retryAfter == null ? Optional.empty() : retryAfter;
    }
}

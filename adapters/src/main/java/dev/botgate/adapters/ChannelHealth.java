package dev.botgate.adapters;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What an adapter knows about its link to the platform, for {@code /health} and the console.
 *
 * @param healthy     false while the last call to the platform failed for a reason an operator must fix
 * @param tokenOk     whether the last access-token fetch succeeded (true for platforms without token exchange)
 * @param lastError   the last error, with what to do about it; never contains secrets
 * @param lastErrorAt when it happened
 */
public record ChannelHealth(boolean healthy, boolean tokenOk, Optional<String> lastError,
                            Optional<Instant> lastErrorAt) {

    /** Validates. */
    public ChannelHealth {
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(lastErrorAt, "lastErrorAt");
    }

    /** A healthy link with no error recorded. */
    public static ChannelHealth ok() {
        return new ChannelHealth(true, true, Optional.empty(), Optional.empty());
    }
}

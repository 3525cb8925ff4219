package dev.botgate.adapters.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * An access token as a platform issued it.
 *
 * @param value     the token (secret: {@link #toString()} hides it)
 * @param expiresIn its lifetime from now, as the platform said ({@code expires_in}, {@code expire})
 */
public record AccessToken(String value, Duration expiresIn) {

    /** Validates. */
    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresIn, "expiresIn");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty access token");
        }
    }

    @Override
    public String toString() {
        return "AccessToken[****, expiresIn=" + expiresIn + "]";
    }
}

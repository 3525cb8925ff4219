package dev.botgate.adapters.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Caches one access token until shortly before it expires. Concurrent callers that find it missing or stale wait for
 * a single fetch. When the platform rejects a token as expired, {@link #invalidate(String)} drops it, but only if it
 * is still the current one, so a burst of rejections causes one refetch.
 */
public final class AccessTokenCache {
    private final Clock clock;
    private final Duration refreshBefore;
    private final Supplier<AccessToken> fetch;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile String token = "";
    private volatile Instant refreshAt = Instant.MIN;

    /**
     * @param clock         time source
     * @param refreshBefore how long before expiry to fetch a new one (halved for tokens shorter than twice this)
     * @param fetch         fetches a token from the platform; throws {@link dev.botgate.adapters.SendException} on
     *                      failure
     */
    public AccessTokenCache(Clock clock, Duration refreshBefore, Supplier<AccessToken> fetch) {
        this.clock = clock;
        this.refreshBefore = refreshBefore;
        this.fetch = fetch;
    }

    /** A valid token, fetched when missing or about to expire. */
    public String get() {
        String t = token;
        if (!t.isEmpty() && clock.instant().isBefore(refreshAt)) {
            return t;
        }
        lock.lock();
        try {
            if (!token.isEmpty() && clock.instant().isBefore(refreshAt)) {
                return token;
            }
            AccessToken fresh = fetch.get();
            Duration margin = fresh.expiresIn().compareTo(refreshBefore.multipliedBy(2)) < 0
                    ? fresh.expiresIn().dividedBy(2) : refreshBefore;
            refreshAt = clock.instant().plus(fresh.expiresIn()).minus(margin);
            token = fresh.value();
            return token;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code rejected} if it is still the cached token. */
    public void invalidate(String rejected) {
        lock.lock();
        try {
            if (token.equals(rejected)) {
                token = "";
                refreshAt = Instant.MIN;
            }
        } finally {
            lock.unlock();
        }
    }
}

package dev.botgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * Per-user token bucket: {@code perMinute} messages a minute with bursts of the same size. Buckets of users who went
 * quiet are evicted, so memory follows active users only.
 */
public final class RateLimiter {
    private final Cache<String, Bucket> buckets;
    private final double perNano;
    private final double capacity;
    private final Ticker ticker;

    public RateLimiter(int perMinute, Ticker ticker) {
        this.capacity = perMinute;
        this.perNano = perMinute / (double) Duration.ofMinutes(1).toNanos();
        this.ticker = ticker;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).ticker(ticker).build();
    }

    /** Takes one token for the user; false when the user is over the limit. */
    public boolean tryAcquire(String user) {
        if (capacity <= 0) {
            return true;
        }
        long now = ticker.read();
        Bucket b = buckets.get(user, k -> new Bucket(capacity, now));
        synchronized (b) {
            b.tokens = Math.min(capacity, b.tokens + (now - b.last) * perNano);
            b.last = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }
}

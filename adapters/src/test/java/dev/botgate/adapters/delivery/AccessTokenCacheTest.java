package dev.botgate.adapters.delivery;

import dev.botgate.adapters.TestClock;
import org.testng.annotations.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.testng.Assert.assertEquals;

/** Token caching rules. */
public class AccessTokenCacheTest {

    @Test
    public void invalidateOnlyDropsTheRejectedToken() {
        TestClock clock = new TestClock(Instant.EPOCH);
        AtomicInteger n = new AtomicInteger();
        AccessTokenCache c = new AccessTokenCache(clock, Duration.ofMinutes(5),
                () -> new AccessToken("t" + n.incrementAndGet(), Duration.ofHours(2)));
        assertEquals(c.get(), "t1");
        c.invalidate("t1");
        assertEquals(c.get(), "t2");
        c.invalidate("t1"); // a late rejection of the old token must not drop the new one
        assertEquals(c.get(), "t2");
        assertEquals(n.get(), 2);
    }

    @Test
    public void shortLivedTokensRefreshAtHalfLife() {
        TestClock clock = new TestClock(Instant.EPOCH);
        AtomicInteger n = new AtomicInteger();
        AccessTokenCache c = new AccessTokenCache(clock, Duration.ofMinutes(5),
                () -> new AccessToken("t" + n.incrementAndGet(), Duration.ofMinutes(6)));
        c.get();
        clock.advance(Duration.ofMinutes(2));
        assertEquals(c.get(), "t1");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(c.get(), "t2", "refetched after half of a 6-minute life");
    }

    @Test
    public void tokenValueIsHiddenFromToString() {
        assertEquals(new AccessToken("secret-token", Duration.ofSeconds(1)).toString().contains("secret"), false);
    }
}

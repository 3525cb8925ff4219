package dev.botgate.adapters.delivery;

import dev.botgate.adapters.TestClock;
import org.testng.annotations.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.testng.Assert.assertEquals;

/** Background lookup of the bot's own id. */
public class IdentityLookupTest {

    @Test
    public void failureIsRetriedOnlyAfterTheInterval() {
        TestClock clock = new TestClock(Instant.EPOCH);
        AtomicInteger calls = new AtomicInteger();
        IdentityLookup l = new IdentityLookup(() -> calls.incrementAndGet() < 2 ? Optional.empty()
                : Optional.of("U1"), clock, Duration.ofMinutes(1)).start();
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.empty(), "first attempt failed");
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.empty(), "not retried within the minute");
        assertEquals(calls.get(), 1);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.of("U1"), "retried after the minute");
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.of("U1"));
        assertEquals(calls.get(), 2, "a known id is not asked again");
    }

    @Test
    public void aSlowLookupDoesNotHoldTheCallbackLongerThanTheWait() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        IdentityLookup l = new IdentityLookup(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of("U1");
        }, new TestClock(Instant.EPOCH), Duration.ofMinutes(1)).start();
        long t0 = System.nanoTime();
        assertEquals(l.get(Duration.ofMillis(100)), Optional.empty(), "unknown while in flight");
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        release.countDown();
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.of("U1"));
        org.testng.Assert.assertTrue(waitedMs < 5_000, "returned after the wait, not the lookup: " + waitedMs);
    }

    @Test
    public void exceptionsCountAsFailures() {
        IdentityLookup l = new IdentityLookup(() -> {
            throw new IllegalStateException("boom");
        }, new TestClock(Instant.EPOCH), Duration.ofMinutes(1)).start();
        assertEquals(l.get(Duration.ofSeconds(5)), Optional.empty());
    }
}

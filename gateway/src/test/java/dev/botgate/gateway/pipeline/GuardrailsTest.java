package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.testng.annotations.Test;

public class GuardrailsTest {
    @Test
    public void sensitiveWordsFoundInOnePassIncludingOverlaps() {
        SensitiveWords words = new SensitiveWords(List.of("赌博", "博彩", "Casino", " "));
        assertEquals(words.size(), 3, "blank entries are ignored");
        assertEquals(words.findAll("这里有赌博彩票"), List.of("赌博", "博彩"), "overlapping words both found");
        assertEquals(words.firstMatch("best CASINO in town"), Optional.of("casino"), "case-insensitive");
        assertTrue(words.firstMatch("我想申请退货").isEmpty());
        assertTrue(new SensitiveWords(List.of()).firstMatch("anything").isEmpty());
    }

    @Test
    public void suffixWordsAreFoundThroughFailureLinks() {
        SensitiveWords words = new SensitiveWords(List.of("abcd", "bc"));
        assertEquals(words.findAll("xabcx"), List.of("bc"), "a word inside a longer partial match is found");
    }

    @Test
    public void rateLimiterAllowsBurstThenRefillsOverTime() {
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        Ticker ticker = now::get;
        RateLimiter limiter = new RateLimiter(3, ticker);
        assertTrue(limiter.tryAcquire("u"));
        assertTrue(limiter.tryAcquire("u"));
        assertTrue(limiter.tryAcquire("u"));
        assertFalse(limiter.tryAcquire("u"), "the fourth message within a minute is refused");
        assertTrue(limiter.tryAcquire("v"), "other users are not affected");
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        assertTrue(limiter.tryAcquire("u"), "one token refills after 20 s at 3/min");
        assertFalse(limiter.tryAcquire("u"));
    }

    @Test
    public void contextKeepsRecentTurnsWithinLimitsAndExpires() {
        AtomicLong now = new AtomicLong(0);
        ConversationContext ctx = new ConversationContext(Duration.ofMinutes(30), 4, 10_000, now::get);
        ctx.append("c", "q1", "a1");
        ctx.append("c", "q2", "a2");
        ctx.append("c", "q3", "a3");
        List<ConversationContext.Turn> h = ctx.history("c");
        assertEquals(h.size(), 4, "max 4 turns kept");
        assertEquals(h.getFirst().content(), "q2", "oldest turns go first");
        ctx.reset("c");
        assertTrue(ctx.history("c").isEmpty(), "reset forgets the conversation");
        ctx.append("d", "q", "a");
        now.addAndGet(Duration.ofMinutes(31).toNanos());
        assertTrue(ctx.history("d").isEmpty(), "idle conversations expire");
    }

    @Test
    public void contextTokenBudgetDropsOldestTurns() {
        ConversationContext ctx = new ConversationContext(Duration.ofMinutes(30), 100, 30, Ticker.systemTicker());
        ctx.append("c", "一二三四五六七八九十", "十九八七六五四三二一");
        ctx.append("c", "问题", "回答");
        List<ConversationContext.Turn> h = ctx.history("c");
        assertEquals(h.getLast().content(), "回答", "the newest turn is kept");
        assertTrue(h.stream().noneMatch(t -> t.content().startsWith("一二三")), "over budget, the oldest went first");
    }
}

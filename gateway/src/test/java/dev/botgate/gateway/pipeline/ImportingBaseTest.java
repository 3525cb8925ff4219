package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.gateway.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testng.annotations.Test;

/** A bot whose knowledge base is still being imported: it waits a moment for it, then says so; never the fallback. */
public class ImportingBaseTest {
    private static final BotConfig CONFIG = new BotConfig("demo", "local", List.of("demo"), Optional.empty(), "",
            "hi", "抱歉，已为您转人工客服。", 0.5, 3, List.of(), "refused", 0, "busy", "unsupported", "来源");

    /** Finds the answer only once the import is over, as a base does whose documents are still arriving. */
    private static Retriever base(AtomicBoolean importing) {
        return new Retriever() {
            @Override
            public List<Passage> retrieve(List<String> bases, String query, int top) {
                return importing.get() ? List.of()
                        : List.of(new Passage("qinghe-faq.csv", "", "7天内可申请退货。", 0.9, true));
            }

            @Override
            public List<String> importing(List<String> bases) {
                return importing.get() ? bases : List.of();
            }
        };
    }

    private static Answer ask(Retriever retriever, Duration wait) {
        BotAnswerer answerer = new BotAnswerer(null, retriever, new ConversationContext(Duration.ofMinutes(5), 10,
                1000, Ticker.systemTicker()), new Metrics(), wait);
        return answerer.answer(new Bot(CONFIG, Ticker.systemTicker()), "c", "u", "怎么退货？", s -> { });
    }

    @Test
    public void aBaseStillImportingIsSaidSoInsteadOfTheFallback() {
        long t0 = System.nanoTime();
        Answer a = ask(base(new AtomicBoolean(true)), Duration.ofMillis(300));
        assertEquals(a.text(), BotAnswerer.IMPORTING, "not the fallback: " + a);
        assertEquals(a.policy(), Answer.Policy.CANNED);
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos(), "it waited for the import first");
    }

    @Test
    public void aQuestionWaitsBrieflyForAnImportThatFinishes() {
        AtomicBoolean importing = new AtomicBoolean(true);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            importing.set(false);
        });
        Answer a = ask(base(importing), Duration.ofSeconds(20));
        assertEquals(a.policy(), Answer.Policy.DIRECT, "answered from the imported base: " + a);
        assertEquals(a.text(), "7天内可申请退货。");
    }

    @Test
    public void withNoImportNothingFoundIsTheFallbackAtOnce() {
        Retriever empty = (bases, query, top) -> List.of();
        long t0 = System.nanoTime();
        Answer a = ask(empty, Duration.ofSeconds(20));
        assertEquals(a.policy(), Answer.Policy.FALLBACK);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "no wait without an import");
    }
}

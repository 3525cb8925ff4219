package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.GenerationStats;
import dev.botgate.backend.engine.LoadedModel;
import dev.botgate.gateway.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.testng.annotations.Test;

/**
 * A bot with a model rewrites a follow-up into a standalone question before searching (a fake engine behind the
 * engine interface: the tiny test GGUF writes gibberish, which would test nothing here), and a rewrite that finds
 * less than the topic-plus-fragment search is ignored.
 */
public class FollowUpRewriteTest {
    private static final String RETURN = "签收后7天内可申请退货。";
    private static final String RETURN_FEE = "质量问题的退货运费由云杉承担。";
    private static final String EXCHANGE_FEE = "换货运费由云杉承担。";

    private static Passage qa(String question, String answer, double score) {
        return new Passage("faq.csv", "", answer, score, false, question, score);
    }

    /** The search: a standalone question finds its entry best; the topic-plus-fragment query favours the topic. */
    private static List<Passage> search(String query) {
        if (query.equals("退货的运费谁承担？")) {
            return List.of(qa("退货的运费谁承担？", RETURN_FEE, 0.95), qa("换货的运费谁承担？", EXCHANGE_FEE, 0.7));
        }
        if (query.contains("那运费呢")) {
            return List.of(qa("如何申请退货？", RETURN, 0.9), qa("换货的运费谁承担？", EXCHANGE_FEE, 0.8),
                    qa("退货的运费谁承担？", RETURN_FEE, 0.6));
        }
        return List.of(qa("如何申请退货？", RETURN, 0.97));
    }

    /** Rewrites with {@code rewrite}; as the answering model, repeats the first passage of its system prompt. */
    private static final class FakeEngine implements Engine {
        final List<List<ChatMessage>> rewrites = new CopyOnWriteArrayList<>();
        final String rewrite;

        FakeEngine(String rewrite) {
            this.rewrite = rewrite;
        }

        @Override
        public dev.botgate.backend.engine.Generation submit(GenerationRequest request,
                                                            java.util.function.Consumer<GenerationEvent> listener) {
            List<ChatMessage> messages = ((GenerationRequest.Chat) request.prompt()).messages();
            String system = messages.getFirst().content();
            String out;
            if (system.equals(StandaloneQuestion.INSTRUCTION)) {
                rewrites.add(messages);
                out = rewrite;
            } else {
                String first = system.substring(system.indexOf("[1] "));
                out = first.lines().skip(1).findFirst().orElse("");
            }
            listener.accept(new GenerationEvent.Token(out));
            listener.accept(new GenerationEvent.Done(GenerationEvent.DoneReason.STOP,
                    new GenerationStats(0, 0, 0, 0, 0, 0, 0, 0)));
            return () -> { };
        }

        @Override
        public List<LoadedModel> loaded() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    private static Bot bot() {
        return new Bot(new BotConfig("b", "local", List.of("faq"), Optional.of("m"), "", "hi", "fallback", 0.5, 3,
                List.of(), "refused", 0, "busy", "unsupported", "Sources"), Ticker.systemTicker());
    }

    private static BotAnswerer answerer(Engine engine) {
        return new BotAnswerer(engine, (bases, query, top) -> search(query), new ConversationContext(
                Duration.ofMinutes(5), 10, 1000, Ticker.systemTicker()), new Metrics());
    }

    @Test
    public void theModelsStandaloneQuestionIsSearched() {
        FakeEngine engine = new FakeEngine("退货的运费谁承担？");
        BotAnswerer answerer = answerer(engine);
        Bot bot = bot();
        assertEquals(answerer.answer(bot, "c", "u", "怎么退货", s -> { }).text(), RETURN);
        assertEquals(answerer.answer(bot, "c", "u", "那运费呢？", s -> { }).text(), RETURN_FEE,
                "the rewrite finds the return-fee entry");
        assertEquals(engine.rewrites.size(), 1, "one rewrite, for the follow-up only");
        assertTrue(engine.rewrites.getFirst().stream().anyMatch(m -> m.content().equals("怎么退货")),
                "the model saw the previous question");
        assertEquals(engine.rewrites.getFirst().getLast().content(), "那运费呢？");
    }

    @Test
    public void aRewriteThatFindsLessIsIgnored() {
        BotAnswerer answerer = answerer(new FakeEngine("锟斤拷烫烫烫"));
        Bot bot = bot();
        answerer.answer(bot, "c", "u", "怎么退货", s -> { });
        assertEquals(answerer.answer(bot, "c", "u", "那运费呢？", s -> { }).text(), EXCHANGE_FEE,
                "gibberish scores below the topic-plus-fragment search, which (without the topic's own entry) wins");
    }
}

package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.CallbackRequest;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.ChannelHealth;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.gateway.Metrics;
import dev.botgate.gateway.TestGateway;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/**
 * The record's state of a platform message, as the console's conversation list shows it: ANSWERED once the answer was
 * sent, and FAILED with the reason when answering or sending broke — never RECEIVED ("being answered") for good.
 */
public class AnswerStatesTest {
    private MessageLog log;
    private ConversationWorkers workers;
    private InboundDispatcher dispatcher;
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile RuntimeException sendFault;

    @BeforeMethod
    public void setUp() throws Exception {
        sendFault = null;
        sent.clear();
        log = new MessageLog(Files.createTempDirectory("states").resolve("messages.db"), Clock.systemUTC());
        workers = new ConversationWorkers();
        BotConfig config = new BotConfig("b", "wecom", List.of("faq"), Optional.empty(), "", "hi", "fallback", 0.0, 3,
                List.of(), "refused", 0, "busy", "unsupported", "Sources");
        Retriever retriever = (bases, query, top) -> {
            if (query.contains("boom")) {
                throw new IllegalStateException("search index unreadable");
            }
            return List.of(new Passage("faq", "", "the answer to " + query, 1.0, true));
        };
        BotAnswerer answerer = new BotAnswerer(null, retriever, new ConversationContext(Duration.ofMinutes(5), 10,
                1000, Ticker.systemTicker()), new Metrics());
        dispatcher = new InboundDispatcher(Map.of("b", new Bot(config, Ticker.systemTicker())),
                Map.of("b", new Adapter()), answerer, log, workers, new Metrics());
    }

    @AfterMethod(alwaysRun = true)
    public void tearDown() {
        dispatcher.close();
        workers.close();
        log.close();
    }

    private MessageLog.Entry ask(String text, String id) throws InterruptedException {
        InboundMessage m = new InboundMessage(Channel.WECOM, "b", "c-" + id, "u", text, id, MessageKind.TEXT,
                new ReplyTo.WeComUser("u"), false);
        dispatcher.dispatch(new Adapter(), new CallbackResult.Inbound(m, new Ack.Now(HttpReply.text(200, "ok"))));
        TestGateway.waitFor(() -> log.recent(Optional.empty(), 10).stream().anyMatch(e -> e.platformId().equals(id)
                && e.state() != MessageLog.State.RECEIVED), "message " + id + " leaves RECEIVED");
        return log.recent(Optional.empty(), 10).stream().filter(e -> e.platformId().equals(id)).findFirst()
                .orElseThrow();
    }

    @Test
    public void anAnsweredMessageIsListedAnswered() throws Exception {
        MessageLog.Entry e = ask("退货", "m1");
        assertEquals(e.state(), MessageLog.State.ANSWERED, e.toString());
        assertEquals(e.answer(), "the answer to 退货");
        assertEquals(sent, List.of("the answer to 退货"));
    }

    @Test
    public void aFaultWhileAnsweringIsListedFailedWithItsReason() throws Exception {
        MessageLog.Entry e = ask("boom", "m2");
        assertEquals(e.state(), MessageLog.State.FAILED, e.toString());
        assertTrue(e.lastError().contains("search index unreadable"), e.lastError());
    }

    @Test
    public void anAdapterFaultWhileSendingIsListedFailedWithItsReason() throws Exception {
        sendFault = new IllegalArgumentException("reply context of another platform");
        MessageLog.Entry e = ask("退货", "m3");
        assertEquals(e.state(), MessageLog.State.FAILED, e.toString());
        assertTrue(e.lastError().contains("reply context of another platform"), e.lastError());
    }

    /** A platform link that records what it sends, or fails as the test says. */
    private final class Adapter implements ChannelAdapter {
        @Override
        public Channel channel() {
            return Channel.WECOM;
        }

        @Override
        public String botId() {
            return "b";
        }

        @Override
        public CallbackResult handle(CallbackRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void send(InboundMessage replyTo, OutboundText text) {
            if (sendFault != null) {
                throw sendFault;
            }
            sent.add(text.markdown());
        }

        @Override
        public ReplyStream open(InboundMessage replyTo) {
            return new ReplyStream() {
                @Override
                public void update(String textSoFar) {
                }

                @Override
                public void finish(OutboundText text) {
                    send(replyTo, text);
                }
            };
        }

        @Override
        public ChannelHealth health() {
            return ChannelHealth.ok();
        }
    }
}

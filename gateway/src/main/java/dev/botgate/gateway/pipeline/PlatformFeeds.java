package dev.botgate.gateway.pipeline;

import dev.botgate.adapters.Ack;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundFeed;
import dev.botgate.adapters.InboundMessage;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the adapters that receive outside one-callback-one-message ({@link InboundFeed}: the 微信客服 pull, the
 * 智能机器人's long connection) and gives each a sink into the same path as a callback's message: the dispatcher's
 * dedupe, record, per-conversation queue and answer. Cursors are kept in {@link FeedCursors}.
 */
public final class PlatformFeeds implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PlatformFeeds.class.getName());
    private static final HttpReply NO_RESPONSE = HttpReply.text(200, "");
    private final FeedCursors cursors;

    private PlatformFeeds(FeedCursors cursors) {
        this.cursors = cursors;
    }

    /** Starts every feed among {@code adapters} (call after {@link InboundDispatcher#recover}). */
    public static PlatformFeeds start(Map<String, ChannelAdapter> adapters, InboundDispatcher dispatcher,
                                      MessageLog log, FeedCursors cursors) {
        for (ChannelAdapter adapter : adapters.values()) {
            if (adapter instanceof InboundFeed feed) {
                feed.start(new Sink(adapter, dispatcher, log, cursors));
                LOG.log(Level.INFO, adapter.channel().id() + "/" + adapter.botId() + ": feed started");
            }
        }
        return new PlatformFeeds(cursors);
    }

    /** One adapter's sink. */
    private record Sink(ChannelAdapter adapter, InboundDispatcher dispatcher, MessageLog log, FeedCursors cursors)
            implements InboundFeed.FeedSink {

        @Override
        public void accept(InboundMessage message) {
            dispatcher.dispatch(adapter, new CallbackResult.Inbound(message, new Ack.Now(NO_RESPONSE)));
        }

        @Override
        public void recordOnly(InboundMessage m, String reason) {
            log.record(m.channel().id(), m.botId(), m.messageId(), m.conversationKey(), m.senderId(), m.text(),
                    InboundDispatcher.replyContext(m))
                    .ifPresent(id -> log.notAnswered(id, "human", reason));
        }

        @Override
        public Optional<String> cursor(String key) {
            return cursors.get(adapter.channel().id(), adapter.botId(), key);
        }

        @Override
        public void saveCursor(String key, String value) {
            cursors.put(adapter.channel().id(), adapter.botId(), key, value);
        }
    }

    @Override
    public void close() {
        cursors.close();
    }
}

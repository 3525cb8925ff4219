package dev.botgate.adapters;

/**
 * An adapter that receives messages outside {@link ChannelAdapter#handle}'s one-callback-one-message shape: WeCom 微信客服
 * callbacks only announce messages that the adapter then pulls ({@code kf/sync_msg}), and the 智能机器人's long
 * connection pushes messages over a WebSocket. The gateway starts it once, after recovery, with the sink through
 * which every message takes the same path as a callback's: dedupe, record, queue per conversation, answer.
 */
public interface InboundFeed {

    /** Starts receiving (connects, or arms the pull); returns at once. Called once. */
    void start(FeedSink sink);

    /** What the gateway offers a feed. Thread-safe. */
    interface FeedSink {
        /**
         * Dedupes (by {@link InboundMessage#messageId()}, durably), records and queues a message for its answer;
         * returns once it is recorded, so a cursor saved after it never skips it.
         */
        void accept(InboundMessage message);

        /**
         * Records a message that the bot must not answer (a human servicer holds the conversation), with the reason,
         * so the record is complete and a re-delivery is still recognised.
         */
        void recordOnly(InboundMessage message, String reason);

        /** A durable position of this bot's feed ({@code key}: e.g. the kf account), if one was saved. */
        java.util.Optional<String> cursor(String key);

        /** Saves a durable position; written before this returns. */
        void saveCursor(String key, String value);
    }
}

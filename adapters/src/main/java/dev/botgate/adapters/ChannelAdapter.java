package dev.botgate.adapters;

import java.util.List;
import java.util.Optional;

/**
 * One bot's link to its platform: built from that bot's settings, it turns callbacks into {@link InboundMessage}s
 * and sends answers. It knows nothing of models or documents. Thread-safe; one instance per bot.
 *
 * <p>The gateway calls, in order: {@link #handle} on the request's thread (fast: verify, decrypt, parse; no outbound
 * call except, once, looking up the bot's own id); then, after dedupe and recording, it writes the {@link Ack} and
 * answers from a worker with {@link #send} or {@link #open}, or, for {@link Ack.Hold}, with {@link #passiveReply}.
 */
public interface ChannelAdapter extends AutoCloseable {

    /** The platform. */
    Channel channel();

    /** The bot's id (config {@code id}). */
    String botId();

    /**
     * Verifies and decodes one callback. Never throws for bad input: refusals come back as a
     * {@link CallbackResult.Reply} with a 4xx status.
     */
    CallbackResult handle(CallbackRequest request);

    /**
     * Sends an answer through the platform's API, converted and split to the platform's limits. Retries
     * transient failures itself (see {@link RetryPolicy}).
     *
     * @throws SendException when it could not be delivered; {@link SendException#retryable()} says whether to try
     *                       again later
     */
    void send(InboundMessage replyTo, OutboundText text);

    /**
     * Whether this bot can send on its own, outside the passive reply to a callback; false for an unverified WeChat
     * Official Account, whose answers can only travel in the response to the user's next delivery.
     */
    default boolean canSend() {
        return true;
    }

    /**
     * Starts a streamed answer. Platforms that cannot edit messages return a stream that sends once, on
     * {@link ReplyStream#finish}.
     */
    ReplyStream open(InboundMessage replyTo);

    /**
     * The callback response that carries {@code text} as the answer, for {@link Ack.Hold} deliveries; empty for
     * platforms that never answer passively. {@code text} must fit {@link Ack.Hold#maxReplyBytes()}.
     */
    default Optional<HttpReply> passiveReply(InboundMessage replyTo, String text) {
        return Optional.empty();
    }

    /**
     * An answer as the texts of the passive replies that carry it, in order: converted to what the platform shows
     * and split to {@link Ack.Hold#maxReplyBytes()}. Each element goes to {@link #passiveReply} as is. Empty for
     * platforms that never answer passively.
     */
    default List<String> passiveParts(OutboundText text) {
        return List.of();
    }

    /**
     * The response to a callback that was accepted and dispatched: {@code dispatched} (the {@link Ack.Now} response)
     * unless the platform wants the answer itself in the response, as the WeCom 智能机器人 does (its first reply opens
     * the stream with the answer so far). Called on the request's thread after the message was recorded, also for a
     * re-delivery; may wait briefly, inside the platform's deadline.
     */
    default HttpReply acknowledge(CallbackResult.Inbound inbound, HttpReply dispatched) {
        return dispatched;
    }

    /** The link's health: last error and whether the access token is good. */
    ChannelHealth health();

    /** Releases the HTTP client. */
    @Override
    default void close() {
    }
}

package dev.botgate.adapters;

import java.util.Objects;

/**
 * A verified, decoded message from a platform, in neutral terms.
 *
 * @param channel         the platform
 * @param botId           the bot (config {@code id}) that received it
 * @param conversationKey the conversation inside this bot: the chat, plus the sender in group chats; one answer at a
 *                        time per key
 * @param senderId        the platform's id of the person who wrote it
 * @param text            the text to answer (mentions of the bot removed); empty for {@link MessageKind#WELCOME} and
 *                        {@link MessageKind#UNSUPPORTED}
 * @param messageId       the platform's message id, or event id / sender+time for events: the dedupe key for retries
 * @param kind            what to do with it
 * @param replyTo         where the answer goes
 * @param retry           true when the platform marked this delivery as a retry (Slack {@code X-Slack-Retry-Num});
 *                        platforms without such a marker always say false, so dedupe by {@code messageId} regardless
 */
public record InboundMessage(Channel channel, String botId, String conversationKey, String senderId, String text,
                             String messageId, MessageKind kind, ReplyTo replyTo, boolean retry) {

    /** Validates. */
    public InboundMessage {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(botId, "botId");
        Objects.requireNonNull(conversationKey, "conversationKey");
        Objects.requireNonNull(senderId, "senderId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(replyTo, "replyTo");
        if (messageId.isEmpty()) {
            throw new IllegalArgumentException("messageId must not be empty: it is the dedupe key");
        }
    }

    @Override
    public String toString() {
        // The text is the user's words: keep it out of log lines built from toString().
        return "InboundMessage[" + channel.id() + "/" + botId + ", conversation=" + conversationKey + ", id="
                + messageId + ", " + kind + ", " + text.length() + " chars" + (retry ? ", retry" : "") + "]";
    }
}

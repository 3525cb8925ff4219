package dev.botgate.adapters;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.Objects;

/**
 * Where an answer goes, in the platform's own terms. Serializable with Jackson (property {@code type}) so the
 * gateway can keep it in its durable record and answer after a restart.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ReplyTo.WeComUser.class, name = "wecom"),
        @JsonSubTypes.Type(value = ReplyTo.WeChatUser.class, name = "wechat"),
        @JsonSubTypes.Type(value = ReplyTo.FeishuMessage.class, name = "feishu"),
        @JsonSubTypes.Type(value = ReplyTo.SlackThread.class, name = "slack")
})
public sealed interface ReplyTo {

    /**
     * A WeCom member of the app's 1:1 chat.
     *
     * @param userId the member's UserID ({@code FromUserName})
     */
    record WeComUser(String userId) implements ReplyTo {
        /** Validates. */
        public WeComUser {
            Objects.requireNonNull(userId, "userId");
        }
    }

    /**
     * An Official Account follower.
     *
     * @param openId    the follower's OpenID ({@code FromUserName})
     * @param accountId the account's {@code gh_…} id ({@code ToUserName}), the sender of a passive reply
     * @param crypto    how the callback was encrypted, and so how a passive reply must be
     */
    record WeChatUser(String openId, String accountId, Crypto crypto) implements ReplyTo {
        /** How a callback was encrypted. */
        public enum Crypto {
            /** Plain mode: no encryption. */
            PLAIN,
            /** Safe or compatible mode, with the current EncodingAESKey. */
            CURRENT_KEY,
            /** Safe or compatible mode, with the previous EncodingAESKey (during a key change). */
            PREVIOUS_KEY
        }

        /** Validates. */
        public WeChatUser {
            Objects.requireNonNull(openId, "openId");
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(crypto, "crypto");
        }

        /** Whether a passive reply must be encrypted. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean encrypted() {
            return crypto != Crypto.PLAIN;
        }
    }

    /**
     * A Feishu message to reply to.
     *
     * @param messageId the {@code om_…} id of the user's message
     * @param chatId    the {@code oc_…} chat it was posted in
     */
    record FeishuMessage(String messageId, String chatId) implements ReplyTo {
        /** Validates. */
        public FeishuMessage {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(chatId, "chatId");
        }
    }

    /**
     * A Slack channel, and the thread to answer in.
     *
     * @param channel  channel id ({@code C…}, {@code D…} for DMs)
     * @param threadTs the thread to answer in; empty to answer at the top level (a DM that was not in a thread)
     */
    record SlackThread(String channel, String threadTs) implements ReplyTo {
        /** Validates. */
        public SlackThread {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(threadTs, "threadTs");
        }
    }
}

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
        @JsonSubTypes.Type(value = ReplyTo.SlackThread.class, name = "slack"),
        @JsonSubTypes.Type(value = ReplyTo.WeComKfCustomer.class, name = "wecom-kf"),
        @JsonSubTypes.Type(value = ReplyTo.WeComAiBotChat.class, name = "wecom-aibot")
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

    /**
     * A customer of a WeCom 微信客服 account.
     *
     * @param openKfId       the customer-service account ({@code wk…})
     * @param externalUserId the customer ({@code wm…})
     * @param welcomeCode    the one-time code of an {@code enter_session} event, for the welcome; "" otherwise
     */
    record WeComKfCustomer(String openKfId, String externalUserId, String welcomeCode) implements ReplyTo {
        /** Validates. */
        public WeComKfCustomer {
            Objects.requireNonNull(openKfId, "openKfId");
            Objects.requireNonNull(externalUserId, "externalUserId");
            Objects.requireNonNull(welcomeCode, "welcomeCode");
        }
    }

    /**
     * A chat with a WeCom 智能机器人: the stream the answer goes into and the fallbacks when it cannot.
     *
     * @param chatId      the group's chat id; "" in a single chat
     * @param userId      the member who wrote
     * @param streamId    our id of the answer's stream
     * @param responseUrl the one-time URL for an answer that outlives the stream (valid 1 h); "" when none came
     * @param reqId       the long connection's request id to answer on; "" for HTTP callbacks
     * @param receivedAt  when the message arrived (epoch milliseconds): the stream's 6-minute window starts here
     */
    record WeComAiBotChat(String chatId, String userId, String streamId, String responseUrl, String reqId,
                          long receivedAt) implements ReplyTo {
        /** Validates. */
        public WeComAiBotChat {
            Objects.requireNonNull(chatId, "chatId");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(streamId, "streamId");
            Objects.requireNonNull(responseUrl, "responseUrl");
            Objects.requireNonNull(reqId, "reqId");
        }
    }
}

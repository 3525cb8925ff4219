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
     * @param encrypted whether the callback came in safe mode, so a passive reply must be encrypted too
     */
    record WeChatUser(String openId, String accountId, boolean encrypted) implements ReplyTo {
        /** Validates. */
        public WeChatUser {
            Objects.requireNonNull(openId, "openId");
            Objects.requireNonNull(accountId, "accountId");
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

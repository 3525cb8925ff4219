package dev.botgate.gateway.handoff;

import java.net.URI;
import java.util.Objects;

/** Where on-call people are told about a handoff. The URLs carry keys: they are never logged. */
public sealed interface NotifyTarget {
    /** The webhook URL. */
    URI url();

    /** The kind, for logs and errors (never the URL). */
    String kind();

    /** A WeCom group robot ({@code qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…}). */
    record WeComWebhook(URI url) implements NotifyTarget {
        public WeComWebhook {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public String kind() {
            return "wecom-webhook";
        }

        @Override
        public String toString() {
            return kind();
        }
    }

    /**
     * A Feishu / Lark custom bot; signed when {@code secret} is not empty.
     *
     * @param secret the bot's signing secret, empty when signing is off
     */
    record FeishuWebhook(URI url, String secret) implements NotifyTarget {
        public FeishuWebhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String kind() {
            return "feishu-webhook";
        }

        @Override
        public String toString() {
            return "FeishuWebhook[signed=" + !secret.isEmpty() + "]";
        }
    }

    /** A Slack incoming webhook. */
    record SlackWebhook(URI url) implements NotifyTarget {
        public SlackWebhook {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public String kind() {
            return "slack-webhook";
        }

        @Override
        public String toString() {
            return kind();
        }
    }
}

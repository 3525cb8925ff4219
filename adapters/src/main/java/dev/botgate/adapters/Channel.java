package dev.botgate.adapters;

import java.util.Arrays;
import java.util.Optional;

/**
 * The chat platforms Botgate speaks; {@link #id()} is the {@code channel:} value in the config and the path segment
 * in {@code /hooks/{channel}/{bot-id}}.
 */
public enum Channel {
    /** WeCom (企业微信) self-built application. */
    WECOM("wecom"),
    /** WeChat Official Account (公众号). */
    WECHAT("wechat"),
    /** Feishu / Lark event subscription 2.0. */
    FEISHU("feishu"),
    /** Slack Events API. */
    SLACK("slack"),
    /** WeCom 微信客服 (customer service for customers in WeChat). */
    WECOM_KF("wecom-kf"),
    /** WeCom 智能机器人 (the AI bot members @-mention in groups; streamed answers). */
    WECOM_AIBOT("wecom-aibot");

    private final String id;

    Channel(String id) {
        this.id = id;
    }

    /** The lower-case name used in config and URLs. */
    public String id() {
        return id;
    }

    /** The channel with this id, if any. */
    public static Optional<Channel> byId(String id) {
        return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst();
    }
}

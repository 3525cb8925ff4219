package dev.botgate.gateway.handoff;

import java.util.Objects;

/**
 * A conversation as the admin API names it: {@code BOT:KEY}, the bot's id (which has no colon) and the conversation
 * key inside that bot (which may have colons: {@code user:zhangsan}, {@code C1:U42}).
 */
public record ConversationRef(String bot, String key) {
    public ConversationRef {
        Objects.requireNonNull(bot, "bot");
        Objects.requireNonNull(key, "key");
    }

    public static ConversationRef of(String bot, String key) {
        return new ConversationRef(bot, key);
    }

    /** Parses {@code BOT:KEY}. */
    public static ConversationRef parse(String id) {
        int colon = id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1) {
            throw new HandoffException(400, "conversation id '" + id + "' must be BOT:KEY, e.g. support:user:zhangsan "
                    + "(the bot's id, a colon, the conversation key shown in /admin/conversations)");
        }
        return new ConversationRef(id.substring(0, colon), id.substring(colon + 1));
    }

    /** {@code BOT:KEY}. */
    public String id() {
        return bot + ":" + key;
    }
}

package dev.botgate.adapters.slack;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One bot's Slack settings (config block {@code slack:}).
 *
 * @param signingSecret {@code signing-secret}: the app's Signing Secret (Basic Information page)
 * @param botToken      {@code bot-token}: the Bot User OAuth Token, {@code xoxb-…}
 * @param botUserId     {@code bot-user-id}: the bot's user id {@code U…}; when absent it is asked from
 *                      {@code auth.test} on the first event
 * @param apiBase       {@code api-base}: default {@code https://slack.com/api}
 */
public record SlackConfig(String signingSecret, String botToken, Optional<String> botUserId, String apiBase) {

    /** The public Slack Web API. */
    public static final String DEFAULT_API_BASE = "https://slack.com/api";

    /** Validates, naming the failing key. */
    public SlackConfig {
        if (signingSecret == null || signingSecret.isBlank()) {
            throw new ConfigException("slack.signing-secret", "is required");
        }
        if (botToken == null || botToken.isBlank()) {
            throw new ConfigException("slack.bot-token", "is required");
        }
        if (!botToken.startsWith("xoxb-")) {
            throw new ConfigException("slack.bot-token", "must be a bot token starting with xoxb-");
        }
        Objects.requireNonNull(botUserId, "botUserId");
        if (botUserId.isPresent() && !botUserId.get().matches("[UW][A-Z0-9]{2,}")) {
            throw new ConfigException("slack.bot-user-id", "must be a Slack user id like U0123ABCD");
        }
        apiBase = Settings.checkBaseUrl("slack.api-base", Objects.requireNonNull(apiBase, "apiBase"));
    }

    /** Reads the {@code slack:} block (dashed keys). */
    public static SlackConfig from(Map<String, String> values) {
        Settings s = new Settings("slack", values).onlyKeys("signing-secret", "bot-token", "bot-user-id", "api-base");
        return new SlackConfig(s.required("signing-secret"), s.required("bot-token"), s.optional("bot-user-id"),
                s.optional("api-base").orElse(DEFAULT_API_BASE));
    }

    @Override
    public String toString() {
        return "SlackConfig[signingSecret=****, botToken=****, botUserId=" + botUserId + ", apiBase=" + apiBase
                + "]";
    }
}

package dev.botgate.adapters.feishu;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One bot's Feishu / Lark settings (config block {@code feishu:}).
 *
 * @param appId                           {@code app-id}: the App ID ({@code cli_…})
 * @param appSecret                       {@code app-secret}: the App Secret
 * @param encryptKey                      {@code encrypt-key}: the event Encrypt Key; when set, events are encrypted
 *                                        and signed
 * @param verificationToken               {@code verification-token}: the event Verification Token
 * @param apiBase                         {@code api-base}: {@code https://open.feishu.cn} (default) or
 *                                        {@code https://open.larksuite.com} for Lark
 * @param answerInGroupsOnlyWhenMentioned {@code groups-only-when-mentioned}: in group chats answer only messages that
 *                                        @-mention the bot (default true); p2p chats are always answered
 */
public record FeishuConfig(String appId, String appSecret, Optional<String> encryptKey, String verificationToken,
                           String apiBase, boolean answerInGroupsOnlyWhenMentioned) {

    /** The public Feishu API (Lark: {@code https://open.larksuite.com}). */
    public static final String DEFAULT_API_BASE = "https://open.feishu.cn";

    /** Validates, naming the failing key. */
    public FeishuConfig {
        if (appId == null || appId.isBlank()) {
            throw new ConfigException("feishu.app-id", "is required");
        }
        if (!appId.startsWith("cli_")) {
            throw new ConfigException("feishu.app-id", "must be the App ID starting with cli_");
        }
        if (appSecret == null || appSecret.isBlank()) {
            throw new ConfigException("feishu.app-secret", "is required");
        }
        Objects.requireNonNull(encryptKey, "encryptKey");
        if (verificationToken == null || verificationToken.isBlank()) {
            throw new ConfigException("feishu.verification-token", "is required");
        }
        apiBase = Settings.checkBaseUrl("feishu.api-base", Objects.requireNonNull(apiBase, "apiBase"));
    }

    /** Reads the {@code feishu:} block (dashed keys). */
    public static FeishuConfig from(Map<String, String> values) {
        Settings s = new Settings("feishu", values).onlyKeys("app-id", "app-secret", "encrypt-key",
                "verification-token", "api-base", "groups-only-when-mentioned");
        return new FeishuConfig(s.required("app-id"), s.required("app-secret"), s.optional("encrypt-key"),
                s.required("verification-token"), s.optional("api-base").orElse(DEFAULT_API_BASE),
                s.bool("groups-only-when-mentioned", true));
    }

    @Override
    public String toString() {
        return "FeishuConfig[appId=" + appId + ", appSecret=****, encryptKey="
                + (encryptKey.isPresent() ? "****" : "none") + ", verificationToken=****, apiBase=" + apiBase
                + ", groupsOnlyWhenMentioned=" + answerInGroupsOnlyWhenMentioned + "]";
    }
}

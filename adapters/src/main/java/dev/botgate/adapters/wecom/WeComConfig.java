package dev.botgate.adapters.wecom;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.util.Map;
import java.util.Objects;

/**
 * One bot's WeCom settings (config block {@code wecom:}).
 *
 * @param corpId         {@code corp-id}: the company's CorpID (ww…), also the receive id of callbacks
 * @param agentId        {@code agent-id}: the app's AgentId (digits)
 * @param secret         {@code secret}: the app's Secret, for {@code gettoken}
 * @param token          {@code token}: the callback Token
 * @param encodingAesKey {@code encoding-aes-key}: the callback EncodingAESKey (43 characters)
 * @param apiBase        {@code api-base}: default {@code https://qyapi.weixin.qq.com}
 */
public record WeComConfig(String corpId, String agentId, String secret, String token, String encodingAesKey,
                          String apiBase) {

    /** The public WeCom API. */
    public static final String DEFAULT_API_BASE = "https://qyapi.weixin.qq.com";

    /** Validates, naming the failing key. */
    public WeComConfig {
        corpId = nonBlank(corpId, "corp-id");
        agentId = nonBlank(agentId, "agent-id");
        if (!agentId.matches("\\d{1,12}")) {
            throw new ConfigException("wecom.agent-id", "must be the app's numeric AgentId");
        }
        secret = nonBlank(secret, "secret");
        token = nonBlank(token, "token");
        encodingAesKey = nonBlank(encodingAesKey, "encoding-aes-key");
        if (encodingAesKey.length() != 43) {
            throw new ConfigException("wecom.encoding-aes-key", "must be 43 characters");
        }
        if (!WxCrypto.validKey(encodingAesKey)) {
            throw new ConfigException("wecom.encoding-aes-key", "must be letters and digits only");
        }
        apiBase = Settings.checkBaseUrl("wecom.api-base", Objects.requireNonNull(apiBase, "apiBase"));
    }

    /** Reads the {@code wecom:} block (dashed keys). */
    public static WeComConfig from(Map<String, String> values) {
        Settings s = new Settings("wecom", values).onlyKeys("corp-id", "agent-id", "secret", "token",
                "encoding-aes-key", "api-base");
        return new WeComConfig(s.required("corp-id"), s.required("agent-id"), s.required("secret"),
                s.required("token"), s.required("encoding-aes-key"), s.optional("api-base").orElse(DEFAULT_API_BASE));
    }

    private static String nonBlank(String v, String key) {
        if (v == null || v.isBlank()) {
            throw new ConfigException("wecom." + key, "is required");
        }
        return v.strip();
    }

    @Override
    public String toString() {
        return "WeComConfig[corpId=" + corpId + ", agentId=" + agentId + ", secret=****, token=****, "
                + "encodingAesKey=****, apiBase=" + apiBase + "]";
    }
}

package dev.botgate.adapters.wechat;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One bot's Official Account settings (config block {@code wechat:}).
 *
 * @param appId          {@code app-id}: the AppID ({@code wx…}), also the receive id of safe-mode messages
 * @param appSecret      {@code app-secret}: the AppSecret, for access tokens (verified accounts)
 * @param token          {@code token}: the server Token (3–32 letters and digits)
 * @param encodingAesKey {@code encoding-aes-key}: the EncodingAESKey (43 characters); required for safe and
 *                       compatible mode, absent in plain mode
 * @param previousEncodingAesKey {@code previous-encoding-aes-key}: the key before the last change, tried when the
 *                       current one fails, so messages already under way during a key change still decrypt
 * @param verified       {@code verified}: true for a verified account that may use the customer-service message
 *                       API; false answers passively inside the callback
 * @param apiBase        {@code api-base}: default {@code https://api.weixin.qq.com}
 */
public record WeChatConfig(String appId, String appSecret, String token, Optional<String> encodingAesKey,
                           Optional<String> previousEncodingAesKey, boolean verified, String apiBase) {

    /** The public WeChat API. */
    public static final String DEFAULT_API_BASE = "https://api.weixin.qq.com";

    /** Validates, naming the failing key. */
    public WeChatConfig {
        if (appId == null || appId.isBlank()) {
            throw new ConfigException("wechat.app-id", "is required");
        }
        if (!appId.matches("wx[0-9a-zA-Z]{8,30}")) {
            throw new ConfigException("wechat.app-id", "must be the AppID starting with wx");
        }
        if (appSecret == null || appSecret.isBlank()) {
            throw new ConfigException("wechat.app-secret", "is required");
        }
        if (token == null || token.isBlank()) {
            throw new ConfigException("wechat.token", "is required");
        }
        if (!token.matches("[A-Za-z0-9]{3,32}")) {
            throw new ConfigException("wechat.token", "must be 3 to 32 letters and digits");
        }
        Objects.requireNonNull(encodingAesKey, "encodingAesKey");
        if (encodingAesKey.isPresent() && encodingAesKey.get().length() != 43) {
            throw new ConfigException("wechat.encoding-aes-key", "must be 43 characters");
        }
        if (encodingAesKey.isPresent() && !WxCrypto.validKey(encodingAesKey.get())) {
            throw new ConfigException("wechat.encoding-aes-key", "must be letters and digits only");
        }
        Objects.requireNonNull(previousEncodingAesKey, "previousEncodingAesKey");
        if (previousEncodingAesKey.isPresent() && !WxCrypto.validKey(previousEncodingAesKey.get())) {
            throw new ConfigException("wechat.previous-encoding-aes-key", "must be 43 letters and digits");
        }
        if (previousEncodingAesKey.isPresent() && encodingAesKey.isEmpty()) {
            throw new ConfigException("wechat.previous-encoding-aes-key", "needs wechat.encoding-aes-key as well");
        }
        apiBase = Settings.checkBaseUrl("wechat.api-base", Objects.requireNonNull(apiBase, "apiBase"));
    }

    /** Without a previous key. */
    public WeChatConfig(String appId, String appSecret, String token, Optional<String> encodingAesKey,
                        boolean verified, String apiBase) {
        this(appId, appSecret, token, encodingAesKey, Optional.empty(), verified, apiBase);
    }

    /** Reads the {@code wechat:} block (dashed keys). */
    public static WeChatConfig from(Map<String, String> values) {
        Settings s = new Settings("wechat", values).onlyKeys("app-id", "app-secret", "token",
                "encoding-aes-key", "previous-encoding-aes-key", "verified", "api-base");
        return new WeChatConfig(s.required("app-id"), s.required("app-secret"), s.required("token"),
                s.optional("encoding-aes-key"), s.optional("previous-encoding-aes-key"), s.bool("verified", false),
                s.optional("api-base").orElse(DEFAULT_API_BASE));
    }

    @Override
    public String toString() {
        return "WeChatConfig[appId=" + appId + ", appSecret=****, token=****, encodingAesKey="
                + (encodingAesKey.isPresent() ? "****" : "none") + (previousEncodingAesKey.isPresent()
                ? ", previousEncodingAesKey=****" : "") + ", verified=" + verified + ", apiBase=" + apiBase
                + "]";
    }
}

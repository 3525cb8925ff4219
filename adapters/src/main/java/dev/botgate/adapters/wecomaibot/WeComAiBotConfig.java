package dev.botgate.adapters.wecomaibot;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One bot's 智能机器人 settings (config block {@code wecom-aibot:}).
 *
 * @param mode           {@code mode}: {@code callback} (WeCom POSTs to this server's URL; the default) or
 *                       {@code long-connection} (this server connects out to WeCom; no public URL needed)
 * @param token          {@code token}: the callback Token (callback mode)
 * @param encodingAesKey {@code encoding-aes-key}: the callback EncodingAESKey, 43 characters (callback mode)
 * @param botId          {@code bot-id}: the bot's BotID (long-connection mode)
 * @param secret         {@code secret}: the bot's Secret (long-connection mode)
 * @param wsUrl          {@code ws-url}: default {@code wss://openws.work.weixin.qq.com}
 */
public record WeComAiBotConfig(Mode mode, String token, String encodingAesKey, String botId, String secret,
                               URI wsUrl) {

    /** The public long-connection endpoint. */
    public static final String DEFAULT_WS_URL = "wss://openws.work.weixin.qq.com";
    private static final String SECTION = "wecom-aibot";

    /** How messages arrive. */
    public enum Mode {
        /** WeCom POSTs encrypted JSON to {@code /hooks/wecom-aibot/{bot}}. */
        CALLBACK,
        /** Botgate holds a WebSocket to WeCom. */
        LONG_CONNECTION
    }

    /** Validates, naming the failing key. */
    public WeComAiBotConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(encodingAesKey, "encodingAesKey");
        Objects.requireNonNull(botId, "botId");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(wsUrl, "wsUrl");
        if (mode == Mode.CALLBACK) {
            if (token.isBlank()) {
                throw new ConfigException(SECTION + ".token", "is required in callback mode");
            }
            if (encodingAesKey.length() != 43 || !WxCrypto.validKey(encodingAesKey)) {
                throw new ConfigException(SECTION + ".encoding-aes-key", "must be 43 letters and digits");
            }
        } else {
            if (botId.isBlank()) {
                throw new ConfigException(SECTION + ".bot-id", "is required in long-connection mode");
            }
            if (secret.isBlank()) {
                throw new ConfigException(SECTION + ".secret", "is required in long-connection mode");
            }
            String scheme = wsUrl.getScheme();
            if (scheme == null || !(scheme.equals("wss") || scheme.equals("ws")) || wsUrl.getHost() == null) {
                throw new ConfigException(SECTION + ".ws-url", "must be a ws(s) URL like " + DEFAULT_WS_URL);
            }
        }
    }

    /** Reads the {@code wecom-aibot:} block (dashed keys). */
    public static WeComAiBotConfig from(Map<String, String> values) {
        Settings s = new Settings(SECTION, values).onlyKeys("mode", "token", "encoding-aes-key", "bot-id", "secret",
                "ws-url");
        Mode mode = switch (s.optional("mode").orElse("callback")) {
            case "callback" -> Mode.CALLBACK;
            case "long-connection" -> Mode.LONG_CONNECTION;
            default -> throw new ConfigException(SECTION + ".mode", "must be callback or long-connection");
        };
        URI ws;
        try {
            ws = URI.create(s.optional("ws-url").orElse(DEFAULT_WS_URL));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SECTION + ".ws-url", "must be a ws(s) URL like " + DEFAULT_WS_URL);
        }
        return new WeComAiBotConfig(mode, s.optional("token").orElse(""), s.optional("encoding-aes-key").orElse(""),
                s.optional("bot-id").orElse(""), s.optional("secret").orElse(""), ws);
    }

    @Override
    public String toString() {
        return "WeComAiBotConfig[mode=" + mode + ", token=****, encodingAesKey=****, botId=" + botId
                + ", secret=****, wsUrl=" + wsUrl + "]";
    }
}

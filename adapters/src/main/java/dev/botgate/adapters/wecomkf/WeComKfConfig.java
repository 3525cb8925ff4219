package dev.botgate.adapters.wecomkf;

import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.Settings;
import dev.botgate.adapters.wxcrypto.WxCrypto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One bot's 微信客服 settings (config block {@code wecom-kf:}).
 *
 * @param corpId         {@code corp-id}: the company's CorpID (ww…), the receive id of callbacks
 * @param secret         {@code secret}: the Secret of the self-built app set in 微信客服 → 可调用接口的应用
 * @param token          {@code token}: the callback Token (微信客服 → API → 回调配置)
 * @param encodingAesKey {@code encoding-aes-key}: the callback EncodingAESKey (43 characters)
 * @param openKfIds      {@code open-kfid}: the customer-service accounts (wk…) this bot answers; one or a list
 * @param servicer       {@code servicer}: the UserID a transfer goes to by default; empty: the servicers' pool
 * @param apiBase        {@code api-base}: default {@code https://qyapi.weixin.qq.com}
 */
public record WeComKfConfig(String corpId, String secret, String token, String encodingAesKey, List<String> openKfIds,
                            Optional<String> servicer, String apiBase) {

    /** The public WeCom API. */
    public static final String DEFAULT_API_BASE = "https://qyapi.weixin.qq.com";
    private static final String SECTION = "wecom-kf";

    /** Validates, naming the failing key. */
    public WeComKfConfig {
        corpId = nonBlank(corpId, "corp-id");
        secret = nonBlank(secret, "secret");
        token = nonBlank(token, "token");
        encodingAesKey = nonBlank(encodingAesKey, "encoding-aes-key");
        if (encodingAesKey.length() != 43 || !WxCrypto.validKey(encodingAesKey)) {
            throw new ConfigException(SECTION + ".encoding-aes-key", "must be 43 letters and digits");
        }
        openKfIds = List.copyOf(openKfIds);
        if (openKfIds.isEmpty()) {
            throw new ConfigException(SECTION + ".open-kfid", "is required: the 客服账号 ID (wk…) to answer, or a list");
        }
        for (String id : openKfIds) {
            if (!id.matches("[0-9A-Za-z_-]{1,64}")) {
                throw new ConfigException(SECTION + ".open-kfid", "'" + id + "' is not an open_kfid like wkAbc…");
            }
        }
        Objects.requireNonNull(servicer, "servicer");
        apiBase = Settings.checkBaseUrl(SECTION + ".api-base", Objects.requireNonNull(apiBase, "apiBase"));
    }

    /**
     * Reads the {@code wecom-kf:} block (dashed keys). {@code open-kfid} is one id, a comma-separated list, or a
     * YAML list (flattened by the gateway to {@code open-kfid.0}, {@code open-kfid.1}, …).
     */
    public static WeComKfConfig from(Map<String, String> values) {
        Map<String, String> rest = new LinkedHashMap<>();
        TreeMap<Integer, String> listed = new TreeMap<>();
        List<String> ids = new ArrayList<>();
        values.forEach((k, v) -> {
            if (k.matches("open-kfid\\.\\d+")) {
                listed.put(Integer.parseInt(k.substring("open-kfid.".length())), v);
            } else {
                rest.put(k, v);
            }
        });
        Settings s = new Settings(SECTION, rest).onlyKeys("corp-id", "secret", "token", "encoding-aes-key",
                "open-kfid", "servicer", "api-base");
        s.optional("open-kfid").ifPresent(v -> ids.addAll(List.of(v.split("\\s*,\\s*"))));
        listed.values().stream().map(String::strip).filter(v -> !v.isEmpty()).forEach(ids::add);
        return new WeComKfConfig(s.required("corp-id"), s.required("secret"), s.required("token"),
                s.required("encoding-aes-key"), ids.stream().filter(v -> !v.isBlank()).distinct().toList(),
                s.optional("servicer"), s.optional("api-base").orElse(DEFAULT_API_BASE));
    }

    private static String nonBlank(String v, String key) {
        if (v == null || v.isBlank()) {
            throw new ConfigException(SECTION + "." + key, "is required");
        }
        return v.strip();
    }

    @Override
    public String toString() {
        return "WeComKfConfig[corpId=" + corpId + ", secret=****, token=****, encodingAesKey=****, openKfIds="
                + openKfIds + ", servicer=" + servicer.orElse("(pool)") + ", apiBase=" + apiBase + "]";
    }
}

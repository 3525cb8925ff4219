package dev.botgate.adapters;

/**
 * A bot's platform settings are invalid. {@link #key()} is the dashed key path inside the bot, e.g.
 * {@code wecom.encoding-aes-key}; the gateway prefixes the bot's position ({@code bots[2].}).
 */
public final class ConfigException extends AdapterException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String reason;

    /**
     * @param key    dashed key path, e.g. {@code wecom.encoding-aes-key}
     * @param reason what is wrong, e.g. {@code must be 43 characters}; never the value of a secret
     */
    public ConfigException(String key, String reason) {
        super(key + ": " + reason);
        this.key = key;
        this.reason = reason;
    }

    /** The dashed key path. */
    public String key() {
        return key;
    }

    /** What is wrong. */
    public String reason() {
        return reason;
    }
}

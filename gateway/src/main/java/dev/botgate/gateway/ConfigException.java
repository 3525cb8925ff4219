package dev.botgate.gateway;

/** Configuration that cannot be used; the message names the key and says what is wrong. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

package dev.botgate.adapters;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One platform block of a bot's config ({@code wecom: {corp-id: …, …}}) as flat string values with dashed keys,
 * read with precise errors. Secrets are already resolved from {@code ${ENV}} by the gateway; their values never
 * appear in error messages.
 */
public final class Settings {
    private final String section;
    private final Map<String, String> values;

    /**
     * @param section the block's name, the prefix of every key in errors (e.g. {@code wecom})
     * @param values  key → value
     */
    public Settings(String section, Map<String, String> values) {
        this.section = Objects.requireNonNull(section, "section");
        this.values = Map.copyOf(values);
    }

    /** Refuses keys outside {@code known}, so a typo is reported instead of silently ignored. */
    public Settings onlyKeys(String... known) {
        java.util.Set<String> allowed = java.util.Set.of(known);
        values.keySet().stream().filter(k -> !allowed.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw new ConfigException(path(k), "unknown key; expected one of " + String.join(", ",
                    new java.util.TreeSet<>(allowed)));
        });
        return this;
    }

    /** The full key path for errors, e.g. {@code wecom.corp-id}. */
    public String path(String key) {
        return section + "." + key;
    }

    /** A value that must be present and not blank. */
    public String required(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(path(key), "is required");
        }
        return v.strip();
    }

    /** A value that may be absent; blank counts as absent. */
    public Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /** A true/false value. */
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(path(key), "must be true or false");
        };
    }

    /** Checks an http(s) base URL and strips a trailing slash. */
    public static String checkBaseUrl(String path, String v) {
        try {
            URI u = URI.create(v);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new ConfigException(path, "must be an http(s) URL like https://host");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, "must be an http(s) URL like https://host");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }
}

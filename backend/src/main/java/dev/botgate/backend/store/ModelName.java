package dev.botgate.backend.store;

import dev.botgate.backend.engine.InvalidRequestException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model's name in the store: {@code name:tag}, e.g. {@code qwen2.5:0.5b}; the tag defaults to {@code latest}.
 * Both parts are lowercase letters, digits, {@code .}, {@code -} and {@code _}, start with a letter or digit and are at
 * most 64 characters, so a name is always a safe file name and never a path.
 */
public record ModelName(String name, String tag) {
    /** The tag of a name given without one. */
    public static final String DEFAULT_TAG = "latest";
    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public ModelName {
        check(name, "name", name + ":" + tag);
        check(tag, "tag", name + ":" + tag);
    }

    /**
     * Parses {@code name} or {@code name:tag}.
     *
     * @throws InvalidRequestException with what is wrong and an example of a valid name
     */
    public static ModelName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("a model name is required, e.g. qwen2.5:0.5b");
        }
        String s = text.strip();
        int colon = s.indexOf(':');
        if (colon < 0) {
            return new ModelName(s, DEFAULT_TAG);
        }
        if (s.indexOf(':', colon + 1) >= 0) {
            throw new InvalidRequestException("invalid model name '" + s + "': use name:tag with one ':', e.g. "
                    + "qwen2.5:0.5b");
        }
        return new ModelName(s.substring(0, colon), s.substring(colon + 1));
    }

    /** Whether {@code text} parses as a model name. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    /**
     * The name a file imports as: its base name without {@code .gguf}, lowercased, other characters turned into
     * {@code -}; tag {@code latest}. {@code ./Tiny.gguf} becomes {@code tiny:latest}.
     */
    public static ModelName fromFileName(String fileName) {
        String base = fileName;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        base = base.substring(slash + 1);
        if (base.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            base = base.substring(0, base.length() - 5);
        }
        String cleaned = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[._-]+", "");
        if (cleaned.length() > 64) {
            cleaned = cleaned.substring(0, 64);
        }
        if (cleaned.isEmpty()) {
            throw new InvalidRequestException("cannot make a model name from the file name '" + fileName
                    + "'; give one explicitly");
        }
        return new ModelName(cleaned, DEFAULT_TAG);
    }

    @Override
    public String toString() {
        return name + ":" + tag;
    }

    private static void check(String part, String what, String whole) {
        if (part == null || part.isEmpty()) {
            throw new InvalidRequestException("invalid model name '" + whole + "': the " + what
                    + " is empty; use name:tag, e.g. qwen2.5:0.5b");
        }
        if (!PART.matcher(part).matches()) {
            String hint = part.equals(part.toLowerCase(Locale.ROOT)) ? ""
                    : " (names are lowercase: try '" + whole.toLowerCase(Locale.ROOT) + "')";
            throw new InvalidRequestException("invalid model name '" + whole + "': the " + what + " may only hold "
                    + "lowercase letters, digits, '.', '-' and '_', start with a letter or digit, and be at most 64 "
                    + "characters" + hint);
        }
        if (part.contains("..")) {
            throw new InvalidRequestException("invalid model name '" + whole + "': '..' is not allowed");
        }
    }
}

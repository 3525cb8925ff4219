package dev.botgate.backend.store;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A well-known model that {@code botgate pull NAME} downloads.
 *
 * @param name        {@code name:tag}
 * @param url         where the GGUF file is
 * @param size        its size in bytes, 0 when not known
 * @param sha256      its SHA-256 (hex, lowercase), verified after the download when present
 * @param license     the model's license, as its publisher names it
 * @param description one line for people
 */
public record CatalogueEntry(String name, URI url, long size, Optional<String> sha256, String license,
                             String description) {
    public CatalogueEntry {
        name = ModelName.parse(name).toString();
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(description, "description");
        if (sha256.isPresent() && !sha256.get().matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 of " + name + " must be 64 lowercase hex digits");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
            throw new IllegalArgumentException("url of " + name + " must be an http(s) address, not " + url);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size of " + name + " must be >= 0");
        }
    }

    /** This entry under another name (an alias such as {@code qwen2.5:latest}). */
    CatalogueEntry named(String other) {
        return new CatalogueEntry(other, url, size, sha256, license, description);
    }
}

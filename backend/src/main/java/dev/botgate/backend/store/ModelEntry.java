package dev.botgate.backend.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A model in the store, as {@code botgate list} and {@code GET /api/tags} show it.
 *
 * @param name          {@code name:tag}
 * @param digest        {@code sha256:<hex>} of the GGUF file
 * @param size          the GGUF file's size in bytes
 * @param modifiedAt    when the model was pulled, imported or created
 * @param family        the GGUF architecture, e.g. {@code qwen2}
 * @param parameterSize e.g. {@code 494.03M}
 * @param quantization  e.g. {@code Q4_K_M}
 * @param source        where it came from: a URL, a file path, or {@code create}
 */
public record ModelEntry(String name, String digest, long size, Instant modifiedAt, String family,
                         String parameterSize, String quantization, String source) {
    public ModelEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(modifiedAt, "modifiedAt");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(parameterSize, "parameterSize");
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(source, "source");
    }
}

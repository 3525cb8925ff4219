package dev.botgate.backend.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the engine needs to run a named model: the GGUF file and what a Modelfile layered on it.
 *
 * @param name     {@code name:tag}
 * @param digest   {@code sha256:...} of the GGUF file
 * @param gguf     the weights
 * @param system   default system prompt ({@code SYSTEM}), empty when none
 * @param template chat template override ({@code TEMPLATE}, Jinja as in GGUF), empty to use the GGUF's own
 * @param numCtx   context size override ({@code PARAMETER num_ctx}), 0 for the engine default
 * @param defaults the model's default options ({@code PARAMETER} lines)
 */
public record ModelSpec(String name, String digest, Path gguf, String system, Optional<String> template, int numCtx,
                        GenerationOptions defaults) {
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(gguf, "gguf");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(defaults, "defaults");
    }
}

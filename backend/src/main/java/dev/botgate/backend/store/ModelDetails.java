package dev.botgate.backend.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code botgate show} and {@code POST /api/show} print about a model.
 *
 * @param entry      the list entry
 * @param gguf       the GGUF header: architecture, parameters, context length, metadata, ...
 * @param file       the GGUF file in the store
 * @param modelfile  the model's Modelfile with {@code FROM} the GGUF file; {@link Modelfile#render()} prints it
 * @param parameters the {@code PARAMETER} lines as Ollama's {@code parameters} text ({@code key value} lines)
 * @param template   the chat template in use: the Modelfile's {@code TEMPLATE}, else the GGUF's
 * @param system     the system prompt, empty when none
 * @param license    the Modelfile's {@code LICENSE}, else the GGUF's {@code general.license}
 */
public record ModelDetails(ModelEntry entry, GgufInfo gguf, Path file, Modelfile modelfile, String parameters,
                           Optional<String> template, String system, Optional<String> license) {
    public ModelDetails {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(gguf, "gguf");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(modelfile, "modelfile");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(license, "license");
    }
}

package dev.botgate.backend.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The JSON file {@code manifests/<name>/<tag>.json}: which blob a model name uses and what its Modelfile layers on
 * it. Nullable fields are "not set"; this type never leaves the package.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
record Manifest(int schemaVersion, String name, String digest, long size, String modifiedAt, String source,
                Details details, ModelfileParts modelfile) {
    static final int SCHEMA = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code list} shows without opening the GGUF. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Details(String format, String family, String parameterSize, String quantization, long parameterCount) {
        static Details of(GgufInfo info) {
            return new Details("gguf", info.architecture(), info.parameterSize(), info.quantization(),
                    info.parameterCount());
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelfileParts(String from, String system, String template, String license, List<Modelfile.Parameter> parameters) {
        static ModelfileParts of(Modelfile m) {
            return new ModelfileParts(m.from(), m.system().orElse(null), m.template().orElse(null),
                    m.license().orElse(null), m.parameters());
        }

        Modelfile toModelfile() {
            return new Modelfile(from == null ? "" : from, Optional.ofNullable(system), Optional.ofNullable(template),
                    Optional.ofNullable(license), parameters == null ? List.of() : parameters);
        }
    }

    /** The blob's hex digest, without {@code sha256:}. */
    String hex() {
        return digest.substring("sha256:".length());
    }

    Modelfile modelfileOrEmpty() {
        return modelfile == null ? Modelfile.from(source) : modelfile.toModelfile();
    }

    ModelEntry entry() {
        Details d = details == null ? new Details("gguf", "", "", "", 0) : details;
        return new ModelEntry(name, digest, size, Instant.parse(modifiedAt), d.family(), d.parameterSize(),
                d.quantization(), source == null ? "" : source);
    }

    static Manifest read(Path file) {
        try {
            Manifest m = JSON.readValue(file.toFile(), Manifest.class);
            if (m.digest == null || !m.digest.matches("sha256:[0-9a-f]{64}") || m.name == null
                    || m.modifiedAt == null) {
                throw new StoreException("manifest " + file + " is incomplete; remove it with botgate rm and pull "
                        + "the model again");
            }
            return m;
        } catch (IOException e) {
            throw new StoreException("cannot read manifest " + file + ": " + e.getMessage()
                    + "; remove it with botgate rm and pull the model again", e);
        }
    }

    /** Writes beside the target and moves into place, so a reader never sees half a manifest. */
    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        StoreFiles.moveAtomically(tmp, file);
    }

    static Manifest of(ModelName name, String hex, long size, Instant at, String source, GgufInfo info,
                       Modelfile modelfile) {
        return new Manifest(SCHEMA, name.toString(), "sha256:" + hex, size, at.toString(), source,
                Details.of(info), ModelfileParts.of(modelfile));
    }
}

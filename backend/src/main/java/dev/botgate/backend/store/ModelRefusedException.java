package dev.botgate.backend.store;

import dev.botgate.backend.engine.InvalidRequestException;

import java.util.Objects;

/**
 * A model file that must not reach llama.cpp: it would fail obscurely there or kill the process. HTTP 400: the
 * message names the file's problem and what to do instead.
 */
public class ModelRefusedException extends InvalidRequestException {
    /** Why the file was refused. */
    public enum Reason {
        /** The file does not start with the GGUF magic (an HTML page, a safetensors file, ...). */
        NOT_GGUF,
        /** The header or the tensor data ends before the header says it should. */
        TRUNCATED,
        /** A GGUF version or byte order this reader and llama.cpp build cannot read. */
        UNSUPPORTED_VERSION,
        /** An architecture or tensor type the bundled llama.cpp build does not have. */
        UNSUPPORTED_ARCHITECTURE,
        /** An embedding model with MEAN pooling, which aborts the JVM in the bundled llama.cpp. */
        MEAN_POOLING,
        /**
         * Header values llama.cpp cannot take and may abort the process on: a metadata value of the wrong type,
         * impossible hyperparameters (more experts used than there are), arithmetic that overflows, tensor data
         * outside the file.
         */
        INVALID,
        /** llama.cpp failed, crashed or hung loading the file in a trial run in a child process ({@link ModelProbe}). */
        LOAD_FAILED
    }

    private final Reason reason;

    public ModelRefusedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}

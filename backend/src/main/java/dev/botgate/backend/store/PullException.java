package dev.botgate.backend.store;

import dev.botgate.backend.engine.EngineException;

import java.util.Objects;

/** A pull that failed; {@link #kind()} says how, the message says what to do next. */
public class PullException extends EngineException {
    /** What went wrong. */
    public enum Kind {
        /** No such catalogue name, local file, or the server answered 404/410. */
        NOT_FOUND,
        /** The server wants a login (401/403): e.g. a gated Hugging Face repository. */
        ACCESS_DENIED,
        /** Could not connect, the connection broke or stalled, or the server failed (5xx); the partial file is kept. */
        NETWORK,
        /** Not enough free space for the file, checked before downloading and caught while writing. */
        DISK_FULL,
        /** The downloaded bytes do not have the expected SHA-256; the partial file was deleted. */
        CHECKSUM_MISMATCH,
        /** The downloaded file is not a (complete) GGUF model, e.g. an HTML login page; it was deleted. */
        NOT_GGUF,
        /** A valid GGUF file this llama.cpp build must not load (architecture, MEAN pooling); it was deleted. */
        REFUSED,
        /** The same file is already being pulled, by this process or another Botgate on the same store. */
        IN_PROGRESS,
        /** The URL, or a redirect, leads to a scheme or host that {@link PullPolicy} does not allow. */
        NOT_ALLOWED
    }

    private final Kind kind;

    public PullException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public PullException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}

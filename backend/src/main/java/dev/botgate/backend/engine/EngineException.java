package dev.botgate.backend.engine;

/** Base of every error the backend raises; the message says what happened and what to do. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}

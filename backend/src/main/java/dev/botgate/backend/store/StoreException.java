package dev.botgate.backend.store;

import dev.botgate.backend.engine.EngineException;

/** The model store could not read or write its files (permissions, a broken manifest, I/O errors). HTTP 500. */
public class StoreException extends EngineException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

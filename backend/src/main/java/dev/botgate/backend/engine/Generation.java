package dev.botgate.backend.engine;

/** A submitted generation. */
public interface Generation {
    /** Stops the generation (client went away); the listener then gets {@code Done} with reason CANCELLED. Idempotent. */
    void cancel();
}

package dev.botgate.backend.store;

import dev.botgate.backend.engine.InvalidRequestException;

/** A Modelfile that cannot be used as written (HTTP 400); the message starts with the line number. */
public class ModelfileException extends InvalidRequestException {
    private final int line;

    public ModelfileException(int line, String message) {
        super(line > 0 ? "Modelfile line " + line + ": " + message : "Modelfile: " + message);
        this.line = line;
    }

    /** The 1-based line the problem is on, 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}

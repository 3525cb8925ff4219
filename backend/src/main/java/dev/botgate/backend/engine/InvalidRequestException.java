package dev.botgate.backend.engine;

/**
 * The request cannot be served as given (HTTP 400): bad option values, a prompt that does not fit the context, a
 * model file refused before loading.
 */
public class InvalidRequestException extends EngineException {
    public InvalidRequestException(String message) {
        super(message);
    }
}

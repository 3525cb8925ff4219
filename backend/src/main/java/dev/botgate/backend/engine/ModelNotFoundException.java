package dev.botgate.backend.engine;

/** The named model is not in the store (HTTP 404). */
public class ModelNotFoundException extends EngineException {
    public ModelNotFoundException(String model) {
        super("model '" + model + "' not found, try pulling it first: botgate pull " + model);
    }
}

package dev.botgate.backend.engine;

/** Turns a model name into what to load; the model store implements it. */
@FunctionalInterface
public interface ModelResolver {
    /** @throws ModelNotFoundException when no such model exists */
    ModelSpec resolve(String name);
}

package dev.botgate.backend.engine;

import java.util.Objects;

/**
 * A function the model may call.
 *
 * @param name        the function's name
 * @param description what it does, for the model (may be empty)
 * @param parameters  a JSON schema of its arguments, as JSON text ({@code {"type":"object"}} when the client sent none)
 */
public record ToolSpec(String name, String description, String parameters) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        if (name.isBlank()) {
            throw new InvalidRequestException("a tool needs a function name");
        }
    }
}

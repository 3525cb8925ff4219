package dev.botgate.backend.engine;

import java.util.Objects;

/**
 * A function call the model made, or one an assistant turn in the history made.
 *
 * @param id        the call's id ({@code call_…}); tool results name it
 * @param name      the function's name
 * @param arguments the arguments as JSON object text
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}

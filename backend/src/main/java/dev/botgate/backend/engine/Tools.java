package dev.botgate.backend.engine;

import java.util.List;
import java.util.Objects;

/**
 * The functions a request offers the model and how it may use them (OpenAI's {@code tool_choice}).
 *
 * @param specs    the functions; empty for none
 * @param choice   {@link Choice#AUTO}: the model decides; {@link Choice#NONE}: the tools are shown but no call is
 *                 parsed; {@link Choice#REQUIRED}: a grammar forces one call; {@link Choice#FUNCTION}: a grammar forces
 *                 a call of {@code function}
 * @param function the forced function's name for {@link Choice#FUNCTION}, else empty
 */
public record Tools(List<ToolSpec> specs, Choice choice, String function) {
    /** No tools. */
    public static final Tools NONE = new Tools(List.of(), Choice.AUTO, "");

    /** OpenAI's tool_choice values. */
    public enum Choice { NONE, AUTO, REQUIRED, FUNCTION }

    public Tools {
        specs = List.copyOf(specs);
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(function, "function");
        if (choice == Choice.FUNCTION && specs.stream().noneMatch(s -> s.name().equals(function))) {
            throw new InvalidRequestException("tool_choice names function '" + function + "', which is not among the "
                    + "request's tools " + specs.stream().map(ToolSpec::name).toList());
        }
        if ((choice == Choice.REQUIRED || choice == Choice.FUNCTION) && specs.isEmpty()) {
            throw new InvalidRequestException("tool_choice requires a tool call but the request has no tools");
        }
    }

    /** Whether the model's output is searched for calls. */
    public boolean active() {
        return !specs.isEmpty() && choice != Choice.NONE;
    }

    /** Whether a grammar forces a call. */
    public boolean forced() {
        return choice == Choice.REQUIRED || choice == Choice.FUNCTION;
    }
}

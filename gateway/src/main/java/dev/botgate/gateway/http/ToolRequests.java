package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ToolSpec;
import dev.botgate.backend.engine.Tools;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code tools} and {@code tool_choice} (OpenAI's shapes, which Ollama shares for {@code tools}) into the
 * engine's {@link Tools}. Ollama has no {@code tool_choice}; Botgate accepts OpenAI's there too, so an Ollama client
 * can force a call.
 */
final class ToolRequests {
    private ToolRequests() {
    }

    static Tools read(JsonNode body) {
        JsonNode tools = body.get("tools");
        List<ToolSpec> specs = new ArrayList<>();
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray()) {
                throw new BadRequestException("field 'tools' must be an array of {type: function, function: {...}}");
            }
            int i = 0;
            for (JsonNode t : tools) {
                String type = t.path("type").asText("function");
                if (!type.equals("function")) {
                    throw new BadRequestException("tools[" + i + "].type '" + type + "' is not supported; only "
                            + "function tools are");
                }
                // The Responses API puts name/parameters at the top level; chat completions under "function".
                JsonNode fn = t.has("function") ? t.get("function") : t;
                String name = fn.path("name").asText("");
                if (name.isEmpty()) {
                    throw new BadRequestException("tools[" + i + "].function.name is required");
                }
                JsonNode params = fn.get("parameters");
                if (params != null && !params.isNull() && !params.isObject()) {
                    throw new BadRequestException("tools[" + i + "].function.parameters must be a JSON schema object");
                }
                specs.add(new ToolSpec(name, fn.path("description").asText(""),
                        params == null || params.isNull() ? "{\"type\":\"object\",\"properties\":{}}" : params.toString()));
                i++;
            }
        }
        JsonNode choice = body.get("tool_choice");
        if (choice == null || choice.isNull()) {
            return new Tools(specs, Tools.Choice.AUTO, "");
        }
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> new Tools(specs, Tools.Choice.NONE, "");
                case "auto" -> new Tools(specs, Tools.Choice.AUTO, "");
                case "required", "any" -> new Tools(specs, Tools.Choice.REQUIRED, "");
                default -> throw new BadRequestException("tool_choice must be none, auto, required or "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}, got '" + choice.asText() + "'");
            };
        }
        String name = choice.path("function").path("name").asText(choice.path("name").asText(""));
        if (!choice.isObject() || name.isEmpty()) {
            throw new BadRequestException("tool_choice object must name a function: "
                    + "{\"type\":\"function\",\"function\":{\"name\":...}}");
        }
        return new Tools(specs, Tools.Choice.FUNCTION, name);
    }
}

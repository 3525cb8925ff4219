package dev.botgate.backend.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The grammar that forces a function call ({@code tool_choice} {@code required} or a named function): one call of
 * an offered function, in the model's own format, with arguments that follow that function's JSON schema. Built from
 * one schema for the call object ({@code name} fixed per function, arguments per its schema) turned into GBNF by
 * {@link JsonGrammar}, then wrapped in the format's envelope ({@code <tool_call>…</tool_call>}, {@code [TOOL_CALLS]
 * […]} or a bare object).
 */
final class ToolGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolGrammar() {
    }

    /**
     * @throws InvalidRequestException when a tool's parameter schema is not one the converter can take
     */
    static String build(ToolFormat format, Tools tools) {
        List<ToolSpec> callable = tools.choice() == Tools.Choice.FUNCTION
                ? tools.specs().stream().filter(s -> s.name().equals(tools.function())).toList()
                : tools.specs();
        String argumentsKey = format == ToolFormat.LLAMA3 ? "parameters" : "arguments";
        ArrayNode alternatives = JSON.createArrayNode();
        for (ToolSpec spec : callable) {
            ObjectNode call = JSON.createObjectNode();
            call.put("type", "object");
            ObjectNode props = call.putObject("properties");
            props.putObject("name").put("const", spec.name());
            props.set(argumentsKey, parameters(spec));
            call.putArray("required").add("name").add(argumentsKey);
            call.put("additionalProperties", false);
            alternatives.add(call);
        }
        JsonNode schema = alternatives.size() == 1 ? alternatives.get(0)
                : JSON.createObjectNode().set("oneOf", alternatives);
        String call = JsonGrammar.fromSchema(schema.toString()).replaceFirst("(?m)^root ::=", "tool-call ::=");
        String root = switch (format) {
            case HERMES -> "root ::= \"<tool_call>\\n\" tool-call \"\\n</tool_call>\"\n";
            case LLAMA3 -> "root ::= tool-call\n";
            case MISTRAL -> "root ::= \"[TOOL_CALLS]\" \" \"? \"[\" tool-call \"]\"\n";
        };
        return root + call;
    }

    private static JsonNode parameters(ToolSpec spec) {
        JsonNode schema;
        try {
            schema = JSON.readTree(spec.parameters());
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("tool '" + spec.name() + "': parameters is not valid JSON");
        }
        if (schema == null || !schema.isObject()) {
            throw new InvalidRequestException("tool '" + spec.name() + "': parameters must be a JSON schema object");
        }
        ObjectNode copy = ((ObjectNode) schema).deepCopy();
        copy.remove("$schema");
        if (copy.isEmpty() || (copy.size() == 1 && copy.has("description"))) {
            copy.put("type", "object");
        }
        return copy;
    }
}

package dev.botgate.backend.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.kherud.llama.LlamaModel;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JSON schema into a llama.cpp grammar. The schema is checked here first, against the subset the converter
 * handles: the bundled converter throws a C++ exception on anything else (an unknown type, a non-local {@code $ref},
 * a keyword of the wrong JSON type), and that exception is not caught at the JNI boundary, so it aborts the JVM.
 * Checked in java-llama.cpp 4.2.0 ({@code {"type":"nonsense"}} ends the process with "terminate called").
 */
final class JsonGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "object", "array", "null");
    private static final Set<String> FORMATS = Set.of("date", "time", "date-time", "uuid", "uuid1", "uuid2", "uuid3",
            "uuid4", "uuid5");
    /** Keywords without effect on the grammar that the converter ignores safely. */
    private static final Set<String> ANNOTATIONS = Set.of("description", "title", "default", "examples", "$schema",
            "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    /** A JSON object with any content: what {@code format: json} asks for. */
    static final String ANY_OBJECT_SCHEMA = "{\"type\":\"object\"}";

    private JsonGrammar() {
    }

    /**
     * The grammar for a schema. Call only once the native library is loaded (after a model load).
     *
     * @throws InvalidRequestException when the schema is not JSON or uses what the converter cannot take
     */
    static String fromSchema(String schemaText) {
        JsonNode root;
        try {
            root = JSON.readTree(schemaText);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("format/json_schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("a JSON schema must be a JSON object");
        }
        check(root, root, "#");
        try {
            return LlamaModel.jsonSchemaToGrammar(root.toString());
        } catch (RuntimeException e) {
            throw new InvalidRequestException("JSON schema could not be turned into a grammar: " + e.getMessage());
        }
    }

    private static void check(JsonNode root, JsonNode schema, String path) {
        if (!schema.isObject()) {
            throw refuse(path, "a schema must be a JSON object");
        }
        boolean shaped = schema.isEmpty();
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            String at = path + "/" + key;
            switch (key) {
                case "type" -> {
                    if (value.isTextual()) {
                        checkType(value.asText(), at);
                    } else if (value.isArray() && !value.isEmpty()) {
                        value.forEach(t -> {
                            if (!t.isTextual()) {
                                throw refuse(at, "type names must be strings");
                            }
                            checkType(t.asText(), at);
                        });
                    } else {
                        throw refuse(at, "type must be a string or a non-empty array of strings");
                    }
                    shaped = true;
                }
                case "properties" -> {
                    if (!value.isObject()) {
                        throw refuse(at, "properties must be an object");
                    }
                    value.properties().forEach(p -> check(root, p.getValue(), at + "/" + p.getKey()));
                    shaped = true;
                }
                case "required" -> {
                    if (!value.isArray()) {
                        throw refuse(at, "required must be an array of property names");
                    }
                    value.forEach(r -> {
                        if (!r.isTextual()) {
                            throw refuse(at, "required must be an array of property names");
                        }
                    });
                }
                case "additionalProperties" -> {
                    if (!value.isBoolean()) {
                        check(root, value, at);
                    }
                }
                case "items" -> {
                    if (value.isArray()) {
                        int i = 0;
                        for (JsonNode item : value) {
                            check(root, item, at + "/" + i++);
                        }
                    } else {
                        check(root, value, at);
                    }
                    shaped = true;
                }
                case "anyOf", "oneOf" -> {
                    if (!value.isArray() || value.isEmpty()) {
                        throw refuse(at, key + " must be a non-empty array of schemas");
                    }
                    int i = 0;
                    for (JsonNode alt : value) {
                        check(root, alt, at + "/" + i++);
                    }
                    shaped = true;
                }
                case "enum" -> {
                    if (!value.isArray() || value.isEmpty()) {
                        throw refuse(at, "enum must be a non-empty array");
                    }
                    shaped = true;
                }
                case "const" -> shaped = true;
                case "minItems", "maxItems", "minLength", "maxLength" -> {
                    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
                        throw refuse(at, key + " must be a non-negative integer");
                    }
                }
                case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> {
                    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                        throw refuse(at, key + " must be an integer (bounds are only supported on integers)");
                    }
                }
                case "format" -> {
                    if (!value.isTextual() || !FORMATS.contains(value.asText())) {
                        throw refuse(at, "format must be one of " + FORMATS);
                    }
                    shaped = true;
                }
                case "$ref" -> {
                    if (!value.isTextual() || !value.asText().startsWith("#/")) {
                        throw refuse(at, "only local references (#/...) are supported");
                    }
                    JsonNode target = root.at(value.asText().substring(1));
                    if (target.isMissingNode() || !target.isObject()) {
                        throw refuse(at, "reference " + value.asText() + " does not point at a schema");
                    }
                    shaped = true;
                }
                default -> {
                    if (!ANNOTATIONS.contains(key)) {
                        throw refuse(at, "keyword '" + key + "' is not supported");
                    }
                    if (key.equals("$defs") || key.equals("definitions")) {
                        if (!value.isObject()) {
                            throw refuse(at, key + " must be an object of schemas");
                        }
                        value.properties().forEach(d -> check(root, d.getValue(), at + "/" + d.getKey()));
                    }
                }
            }
        }
        if (!shaped) {
            // The converter rejects a schema with no type and no structure ("Unrecognized schema") by aborting.
            throw refuse(path, "a schema needs a type, properties, items, enum, const, anyOf/oneOf or $ref");
        }
    }

    private static void checkType(String type, String at) {
        if (!TYPES.contains(type)) {
            throw refuse(at, "unknown type '" + type + "', expected one of " + TYPES);
        }
    }

    private static InvalidRequestException refuse(String path, String why) {
        return new InvalidRequestException("unsupported JSON schema at " + path + ": " + why);
    }
}

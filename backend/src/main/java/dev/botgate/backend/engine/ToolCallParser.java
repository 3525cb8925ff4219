package dev.botgate.backend.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Finds function calls in a model's output in the format its template taught it ({@link ToolFormat}). A call to a
 * function the request did not offer, or one whose JSON does not parse, is not a call: the text stays content.
 */
final class ToolCallParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ToolCallParser() {
    }

    /** What the output said: text before the calls, and the calls (empty when none were found). */
    record Parsed(String content, List<ToolCall> calls) {
    }

    static Parsed parse(ToolFormat format, String text, Set<String> offered) {
        List<ToolCall> calls = new ArrayList<>();
        String content = text;
        switch (format) {
            case HERMES -> {
                int first = text.indexOf("<tool_call>");
                if (first >= 0) {
                    content = text.substring(0, first);
                    int at = first;
                    while (at >= 0) {
                        int start = at + "<tool_call>".length();
                        int end = text.indexOf("</tool_call>", start);
                        String body = end < 0 ? text.substring(start) : text.substring(start, end);
                        readCalls(body, "arguments", offered, calls);
                        at = end < 0 ? -1 : text.indexOf("<tool_call>", end);
                    }
                }
            }
            case LLAMA3 -> {
                String body = text.strip();
                if (body.startsWith("<|python_tag|>")) {
                    body = body.substring("<|python_tag|>".length());
                }
                if (body.startsWith("{")) {
                    readCalls(body, "parameters", offered, calls);
                    content = "";
                }
            }
            case MISTRAL -> {
                int at = text.indexOf("[TOOL_CALLS]");
                if (at >= 0) {
                    content = text.substring(0, at);
                    readCalls(text.substring(at + "[TOOL_CALLS]".length()), "arguments", offered, calls);
                }
            }
        }
        if (calls.isEmpty()) {
            return new Parsed(text, List.of());
        }
        return new Parsed(content.strip(), calls);
    }

    /**
     * Reads every JSON value in {@code body} (objects, arrays of objects, separated by whitespace or ';') and keeps
     * those shaped as a call of an offered function.
     */
    private static void readCalls(String body, String argumentsKey, Set<String> offered, List<ToolCall> out) {
        try (JsonParser p = JSON.getFactory().createParser(body.replace(";", " "))) {
            while (true) {
                JsonNode node;
                try {
                    if (p.nextToken() == null) {
                        return;
                    }
                    node = JSON.readTree(p);
                } catch (IOException e) {
                    return; // the rest is not JSON (a cut-off call, or prose after the calls)
                }
                if (node.isArray()) {
                    node.forEach(n -> call(n, argumentsKey, offered, out));
                } else {
                    call(node, argumentsKey, offered, out);
                }
            }
        } catch (IOException e) {
            // closing a string parser does not fail
        }
    }

    private static void call(JsonNode node, String argumentsKey, Set<String> offered, List<ToolCall> out) {
        if (!node.isObject() || !node.path("name").isTextual()) {
            return;
        }
        String name = node.get("name").asText();
        if (!offered.contains(name)) {
            return;
        }
        JsonNode args = node.has(argumentsKey) ? node.get(argumentsKey)
                : node.has("arguments") ? node.get("arguments") : node.get("parameters");
        String arguments;
        if (args == null || args.isNull()) {
            arguments = "{}";
        } else if (args.isTextual()) {
            arguments = args.asText(); // some models write the arguments as a JSON string
        } else {
            arguments = args.toString();
        }
        out.add(new ToolCall(newId(), name, arguments));
    }

    /** An id in OpenAI's style: {@code call_} and 24 random hex digits. */
    static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "call_" + HexFormat.of().formatHex(b);
    }
}

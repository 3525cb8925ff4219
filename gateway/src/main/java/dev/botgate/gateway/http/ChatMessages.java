package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code messages} array both APIs share, refusing what the engine cannot take: images (the local models
 * are text-only) and unknown roles. Assistant turns may carry {@code tool_calls} (OpenAI's arguments are JSON text,
 * Ollama's an object); {@code tool} turns are results, answering {@code tool_call_id}.
 */
final class ChatMessages {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer", "tool");

    private ChatMessages() {
    }

    static List<ChatMessage> read(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw new BadRequestException("field 'messages' is required");
        }
        if (!messages.isArray()) {
            throw new BadRequestException("field 'messages' must be an array of {role, content}");
        }
        String model = body.path("model").asText("");
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new BadRequestException("messages[" + i + "].role must be one of system, user, assistant, tool, "
                        + "got '" + role + "'");
            }
            JsonNode images = m.get("images");
            if (images != null && !images.isNull() && !(images.isArray() && images.isEmpty())) {
                throw textOnly(model, "messages[" + i + "].images");
            }
            // OpenAI's "developer" is its new name for "system".
            String mapped = role.equals("developer") ? "system" : role;
            out.add(new ChatMessage(mapped, content(m.get("content"), i, model), toolCalls(m.get("tool_calls"), i),
                    m.path("tool_call_id").asText("")));
            i++;
        }
        return out;
    }

    /** The 400 for an image sent to a text-only model, on both APIs. */
    static BadRequestException textOnly(String model, String where) {
        return new BadRequestException("model '" + model + "' is text-only and cannot read images (" + where
                + "); send text only");
    }

    private static List<ToolCall> toolCalls(JsonNode calls, int index) {
        if (calls == null || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw new BadRequestException("messages[" + index + "].tool_calls must be an array");
        }
        List<ToolCall> out = new ArrayList<>();
        int n = 0;
        for (JsonNode c : calls) {
            JsonNode fn = c.path("function");
            String name = fn.path("name").asText("");
            if (name.isEmpty()) {
                throw new BadRequestException("messages[" + index + "].tool_calls[" + n + "].function.name is required");
            }
            JsonNode args = fn.get("arguments");
            String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString();
            String id = c.path("id").asText("");
            out.add(new ToolCall(id.isEmpty() ? "call_" + index + "_" + n : id, name, arguments));
            n++;
        }
        return out;
    }

    /** A string, or OpenAI's array of parts of which only text parts are supported. */
    private static String content(JsonNode c, int index, String model) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                String type = part.path("type").asText("");
                if (type.equals("image_url") || type.equals("image") || type.equals("input_image")) {
                    throw textOnly(model, "messages[" + index + "].content part '" + type + "'");
                }
                if (!type.equals("text") && !type.equals("input_text") && !type.equals("output_text")) {
                    throw new BadRequestException("messages[" + index + "].content: only text parts are supported, "
                            + "got '" + type + "'");
                }
                sb.append(part.path("text").asText(""));
            }
            return sb.toString();
        }
        throw new BadRequestException("messages[" + index + "].content must be a string or an array of text parts");
    }
}

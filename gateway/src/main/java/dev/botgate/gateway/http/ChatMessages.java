package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads the {@code messages} array both APIs share, refusing what the engine cannot take. */
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
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new BadRequestException("messages[" + i + "].role must be one of system, user, assistant, got '"
                        + role + "'");
            }
            // OpenAI's "developer" is its new name for "system"; tool results are shown to the model as user text.
            String mapped = switch (role) {
                case "developer" -> "system";
                case "tool" -> "user";
                default -> role;
            };
            out.add(new ChatMessage(mapped, content(m.get("content"), i)));
            i++;
        }
        return out;
    }

    /** A string, or OpenAI's array of parts of which only text parts are supported. */
    private static String content(JsonNode c, int index) {
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
                if (!type.equals("text")) {
                    throw new BadRequestException("messages[" + index + "].content: only text parts are supported, got '"
                            + type + "'");
                }
                sb.append(part.path("text").asText(""));
            }
            return sb.toString();
        }
        throw new BadRequestException("messages[" + index + "].content must be a string or an array of text parts");
    }
}

package dev.botgate.adapters.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Optional;

/** Turns a received message's {@code content} into plain text and resolves {@code @_user_N} mentions. */
final class FeishuText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeishuText() {
    }

    /** The text of a {@code text} or {@code post} message; empty for other types or unreadable content. */
    static Optional<String> flatten(String messageType, String content) {
        JsonNode c;
        try {
            c = JSON.readTree(content);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (c == null) {
            return Optional.empty();
        }
        return switch (messageType) {
            case "text" -> Optional.of(c.path("text").asText());
            case "post" -> Optional.of(post(c));
            default -> Optional.empty();
        };
    }

    private static String post(JsonNode c) {
        JsonNode body = c;
        if (!c.has("content")) {
            // Locale-wrapped form {"zh_cn": {title, content}}: take the first locale.
            var it = c.elements();
            body = it.hasNext() ? it.next() : c;
        }
        StringBuilder out = new StringBuilder();
        String title = body.path("title").asText();
        if (!title.isBlank()) {
            out.append(title).append('\n');
        }
        for (JsonNode paragraph : body.path("content")) {
            StringBuilder line = new StringBuilder();
            for (JsonNode el : paragraph) {
                switch (el.path("tag").asText()) {
                    case "text", "a", "md", "code_block" -> line.append(el.path("text").asText());
                    case "at" -> {
                        String id = el.path("user_id").asText();
                        line.append(id.startsWith("@_user_") || id.equals("@_all") ? id
                                : "@" + el.path("user_name").asText());
                    }
                    default -> {
                        // images, media, emotions: nothing to read
                    }
                }
            }
            out.append(line).append('\n');
        }
        return out.toString().strip();
    }

    /** Replaces each mention key with {@code @name}, or removes it when it is the bot. */
    static String resolveMentions(String text, JsonNode mentions, Optional<String> botOpenId) {
        String out = text;
        for (JsonNode m : mentions) {
            String key = m.path("key").asText();
            if (key.isEmpty()) {
                continue;
            }
            boolean self = botOpenId.isPresent() && botOpenId.get().equals(m.path("id").path("open_id").asText());
            out = out.replace(key, self ? "" : "@" + m.path("name").asText());
        }
        return java.util.Arrays.stream(out.split("\n", -1)).map(l -> l.replaceAll("[ \\t]{2,}", " ").strip())
                .collect(java.util.stream.Collectors.joining("\n")).strip();
    }
}

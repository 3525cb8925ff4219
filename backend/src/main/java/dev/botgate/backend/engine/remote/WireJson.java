package dev.botgate.backend.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** JSON helpers shared by the two protocols. */
final class WireJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private WireJson() {
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + excerpt(text));
        }
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The error text of the shapes servers use: {"error":"…"}, {"error":{"message":"…"}}, {"message":"…"}, {"detail":"…"}. */
    static String errorMessage(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n != null && n.isObject()) {
                JsonNode e = n.get("error");
                if (e != null && e.isTextual()) {
                    return e.asText();
                }
                if (e != null && e.hasNonNull("message")) {
                    return e.get("message").asText();
                }
                if (n.hasNonNull("message")) {
                    return n.get("message").asText();
                }
                if (n.hasNonNull("detail")) {
                    return n.get("detail").toString();
                }
            }
        } catch (IOException ignored) {
            // not JSON: fall through to the excerpt
        }
        return excerpt(text);
    }

    /** One vector from a JSON array of numbers. */
    static float[] vector(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("an embedding is not a non-empty array of numbers");
        }
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    static String excerpt(String text) {
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}

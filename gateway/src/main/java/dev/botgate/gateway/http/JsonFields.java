package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Typed, validated reads of request fields; every refusal names the field and what is allowed. */
final class JsonFields {
    private JsonFields() {
    }

    static String requiredText(JsonNode body, String... names) {
        for (String name : names) {
            JsonNode n = body.get(name);
            if (n != null && !n.isNull()) {
                if (!n.isTextual() || n.asText().isBlank()) {
                    throw new BadRequestException("field '" + name + "' must be a non-empty string");
                }
                return n.asText();
            }
        }
        throw new BadRequestException("field '" + names[0] + "' is required");
    }

    static String text(JsonNode body, String name, String fallback) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw new BadRequestException("field '" + name + "' must be a string");
        }
        return n.asText();
    }

    static boolean bool(JsonNode body, String name, boolean fallback) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new BadRequestException("field '" + name + "' must be true or false");
        }
        return n.asBoolean();
    }

    static Double number(JsonNode body, String name, double min, double max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new BadRequestException("field '" + name + "' must be a number");
        }
        double v = n.asDouble();
        if (Double.isNaN(v) || v < min || v > max) {
            throw new BadRequestException("field '" + name + "' must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    static Integer integer(JsonNode body, String name, long min, long max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new BadRequestException("field '" + name + "' must be an integer");
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw new BadRequestException("field '" + name + "' must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    /** A string or an array of strings, as both APIs allow for {@code stop} and embedding {@code input}. */
    static List<String> stringOrList(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return List.of(n.asText());
        }
        if (n.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw new BadRequestException("field '" + name + "' must be a string or an array of strings");
                }
                out.add(e.asText());
            }
            return out;
        }
        throw new BadRequestException("field '" + name + "' must be a string or an array of strings");
    }
}

package dev.botgate.adapters.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A platform's answer.
 *
 * @param status HTTP status
 * @param json   the body parsed as JSON; a missing node when it was not JSON
 */
public record ApiResponse(int status, JsonNode json) {

    /** Validates. */
    public ApiResponse {
        Objects.requireNonNull(json, "json");
    }

    /** A text field of the body, or "" when absent. */
    public String text(String field) {
        JsonNode n = json.path(field);
        return n.isValueNode() ? n.asText() : "";
    }

    /** An integer field of the body, or {@code fallback} when absent. */
    public long number(String field, long fallback) {
        JsonNode n = json.path(field);
        return n.canConvertToLong() ? n.asLong() : fallback;
    }
}

package dev.botgate.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper of the HTTP layer: snake_case field names (both Ollama's and OpenAI's wire formats use them),
 * absent fields left out, unknown request fields ignored (clients send extras we do not use).
 */
public final class Json {
    /**
     * Deepest nesting of arrays and objects a request may have. Real requests (chat messages, tool and JSON-schema
     * definitions) stay far below; a 100,000-deep body must be refused before it costs stack and time.
     */
    static final int MAX_NESTING = 256;

    /** Shared mapper; thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            // Instants as ISO-8601 text, Durations as seconds, Optionals as their value or absent.
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
            .configure(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS, true);

    private Json() {
    }

    /** Serialises a value; our own types always serialise, so a failure is a bug. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
        }
    }

    /** Sends a JSON response with a status. */
    public static void send(io.helidon.webserver.http.ServerResponse res, int status, Object body) {
        res.status(status);
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes(body));
    }

    /** Parses a request body into a tree, or fails with a 400 that says where the JSON is broken. */
    public static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw new BadRequestException("request body is empty: send a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new BadRequestException("JSON body refused: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadRequestException("malformed JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            throw new BadRequestException("request body must be a JSON object");
        }
        return node;
    }
}

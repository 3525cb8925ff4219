package dev.botgate.adapters;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An HTTP response the gateway writes back to the platform as is.
 *
 * @param status      HTTP status code
 * @param contentType value of the Content-Type header
 * @param body        response body bytes (may be empty)
 */
public record HttpReply(int status, String contentType, byte[] body) {

    /** Plain text content type. */
    public static final String TEXT = "text/plain; charset=UTF-8";
    /** JSON content type. */
    public static final String JSON = "application/json; charset=UTF-8";
    /** XML content type. */
    public static final String XML = "application/xml; charset=UTF-8";

    /** Validates and copies the body. */
    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599: " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        body = Objects.requireNonNull(body, "body").clone();
    }

    /** A text/plain reply. */
    public static HttpReply text(int status, String text) {
        return new HttpReply(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** An application/json reply. */
    public static HttpReply json(int status, String json) {
        return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    /** An application/xml reply. */
    public static HttpReply xml(int status, String xml) {
        return new HttpReply(status, XML, xml.getBytes(StandardCharsets.UTF_8));
    }

    /** An error in Botgate's error shape {@code {"error": "…"}}. */
    public static HttpReply error(int status, String message) {
        return json(status, "{\"error\":" + Json.quote(message) + "}");
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpReply r && r.status == status && r.contentType.equals(contentType)
                && Arrays.equals(r.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, contentType, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "HttpReply[" + status + ", " + contentType + ", " + body.length + " bytes]";
    }
}

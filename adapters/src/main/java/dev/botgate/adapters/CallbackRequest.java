package dev.botgate.adapters;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP callback from a platform, exactly as received.
 *
 * @param method     HTTP method, upper case ({@code GET}, {@code POST})
 * @param query      query parameters, already URL-decoded exactly once (first value of each name)
 * @param headers    request headers; looked up case-insensitively through {@link #header(String)}
 * @param body       the raw body bytes, never re-encoded (signatures are computed over them)
 * @param receivedAt when the gateway received the request
 */
public record CallbackRequest(String method, Map<String, String> query, Map<String, String> headers, byte[] body,
                              Instant receivedAt) {

    /** Validates and copies; header names become case-insensitive. */
    public CallbackRequest {
        method = Objects.requireNonNull(method, "method").toUpperCase(java.util.Locale.ROOT);
        query = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(query, "query")));
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(Objects.requireNonNull(headers, "headers"));
        headers = Collections.unmodifiableMap(h);
        body = Objects.requireNonNull(body, "body").clone();
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** A query parameter, if present. */
    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** A header, looked up case-insensitively. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** A copy of the raw body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The raw body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallbackRequest r && r.method.equals(method) && r.query.equals(query)
                && r.headers.equals(headers) && Arrays.equals(r.body, body) && r.receivedAt.equals(receivedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, query, headers, Arrays.hashCode(body), receivedAt);
    }

    @Override
    public String toString() {
        // Headers and body may carry signatures and user text: keep them out of logs.
        return "CallbackRequest[" + method + ", query=" + query.keySet() + ", " + body.length + " bytes, " + receivedAt
                + "]";
    }
}

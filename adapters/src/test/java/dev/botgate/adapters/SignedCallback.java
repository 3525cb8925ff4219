package dev.botgate.adapters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A platform callback built by a test signer: what a platform would send. Hand it to an adapter with
 * {@link #toRequest(Instant)}, or post it to a running gateway with {@link #queryString()}, {@link #headers()} and
 * {@link #body()}.
 *
 * @param method  HTTP method
 * @param query   query parameters, not URL-encoded
 * @param headers request headers
 * @param body    raw body
 */
public record SignedCallback(String method, Map<String, String> query, Map<String, String> headers, byte[] body) {

    /** The request as the gateway would hand it to the adapter. */
    public CallbackRequest toRequest(Instant receivedAt) {
        return new CallbackRequest(method, query, headers, body, receivedAt);
    }

    /** {@code a=1&b=2}, URL-encoded as the platform sends it ("" when there is no query). */
    public String queryString() {
        return query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The body as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A copy with one query parameter replaced (for tampering tests). */
    public SignedCallback withQuery(String name, String value) {
        Map<String, String> q = new java.util.LinkedHashMap<>(query);
        q.put(name, value);
        return new SignedCallback(method, q, headers, body);
    }

    /** A copy with one header replaced. */
    public SignedCallback withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new SignedCallback(method, query, h, body);
    }

    /** A copy with another body (signature unchanged). */
    public SignedCallback withBody(String newBody) {
        return new SignedCallback(method, query, headers, newBody.getBytes(StandardCharsets.UTF_8));
    }
}

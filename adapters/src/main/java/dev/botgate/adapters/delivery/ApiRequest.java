package dev.botgate.adapters.delivery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One call to a platform API.
 *
 * @param method  HTTP method
 * @param path    path below the API base, starting with {@code /}
 * @param query   query parameters (may hold an access token: never logged)
 * @param headers request headers (may hold a bearer token: never logged)
 * @param json    JSON body, if any
 */
public record ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers,
                         Optional<String> json) {

    /** Validates and copies. */
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(json, "json");
    }

    /** A GET. */
    public static ApiRequest get(String path) {
        return new ApiRequest("GET", path, Map.of(), Map.of(), Optional.empty());
    }

    /** A POST of a JSON body. */
    public static ApiRequest post(String path, String json) {
        return new ApiRequest("POST", path, Map.of(), Map.of(), Optional.of(json));
    }

    /** A PATCH of a JSON body. */
    public static ApiRequest patch(String path, String json) {
        return new ApiRequest("PATCH", path, Map.of(), Map.of(), Optional.of(json));
    }

    /** A copy with one more query parameter. */
    public ApiRequest query(String name, String value) {
        Map<String, String> q = new LinkedHashMap<>(query);
        q.put(name, value);
        return new ApiRequest(method, path, q, headers, json);
    }

    /** A copy with one more header. */
    public ApiRequest header(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiRequest(method, path, query, h, json);
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}

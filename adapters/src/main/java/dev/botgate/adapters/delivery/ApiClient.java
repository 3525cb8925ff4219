package dev.botgate.adapters.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.botgate.adapters.AdapterException;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.SendException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Calls one platform's HTTP API through Helidon's WebClient. Timeouts, connection failures and 5xx are retried with
 * exponential backoff; 429 waits the Retry-After the platform gives; everything else is returned for the caller to
 * read the platform's own error codes. Error messages name the method and path only, never the query or headers,
 * which carry access tokens.
 */
public final class ApiClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String platform;
    private final String baseUrl;
    private final AdapterOptions options;
    private final WebClient client;

    /**
     * @param platform name used in error messages, e.g. {@code WeCom}
     * @param baseUrl  API base URL without trailing slash, e.g. {@code https://qyapi.weixin.qq.com}
     * @param options  timeouts, retry policy, sleeper
     */
    public ApiClient(String platform, String baseUrl, AdapterOptions options) {
        this.platform = platform;
        this.baseUrl = baseUrl;
        this.options = options;
        this.client = WebClient.builder()
                .connectTimeout(options.requestTimeout())
                .readTimeout(options.requestTimeout())
                .followRedirects(false)
                .build();
    }

    /** Calls with the default retry rules. */
    public ApiResponse call(ApiRequest request) {
        return call(request, r -> false);
    }

    /**
     * Calls, also retrying (with backoff) responses that {@code retryBody} says are the platform's "busy, try again"
     * answers.
     *
     * @throws SendException retryable when attempts ran out or a Retry-After is longer than the policy allows
     */
    public ApiResponse call(ApiRequest request, Predicate<ApiResponse> retryBody) {
        int max = options.retry().maxAttempts();
        String last = "";
        for (int attempt = 1; ; attempt++) {
            ApiResponse response;
            Optional<String> retryAfterHeader;
            try {
                Exchange ex = once(request);
                response = ex.response;
                retryAfterHeader = ex.retryAfter;
            } catch (AdapterException e) {
                throw e;
            } catch (RuntimeException e) {
                // Never e.getMessage(): Helidon puts the full URI, access_token included, into some messages.
                last = "no response (" + e.getClass().getSimpleName() + ")";
                if (attempt >= max) {
                    throw giveUp(request, attempt, last, Optional.empty());
                }
                pause(request, options.retry().backoff(attempt));
                continue;
            }
            int status = response.status();
            if (status == 429) {
                Duration wait = retryAfterHeader.flatMap(ApiClient::parseSeconds)
                        .orElse(options.retry().backoff(attempt));
                last = "HTTP 429 (rate limited, retry after " + wait.toSeconds() + " s)";
                if (attempt >= max || wait.compareTo(options.retry().maxRetryAfter()) > 0) {
                    throw giveUp(request, attempt, last, Optional.of(wait));
                }
                pause(request, wait);
                continue;
            }
            if (status >= 500 || retryBody.test(response)) {
                last = status >= 500 ? "HTTP " + status : "platform busy (HTTP " + status + ")";
                if (attempt >= max) {
                    throw giveUp(request, attempt, last, Optional.empty());
                }
                pause(request, options.retry().backoff(attempt));
                continue;
            }
            return response;
        }
    }

    private record Exchange(ApiResponse response, Optional<String> retryAfter) {
    }

    private Exchange once(ApiRequest request) {
        HttpClientRequest r = client.method(Method.create(request.method())).uri(baseUrl + request.path());
        for (Map.Entry<String, String> q : request.query().entrySet()) {
            r.queryParam(q.getKey(), q.getValue());
        }
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            r.header(HeaderNames.create(h.getKey()), h.getValue());
        }
        HttpClientResponse res;
        if (request.json().isPresent()) {
            r.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            res = r.submit(request.json().get().getBytes(StandardCharsets.UTF_8));
        } else {
            res = r.request();
        }
        try (res) {
            int status = res.status().code();
            Optional<String> retryAfter = res.headers().first(HeaderNames.create("Retry-After"));
            byte[] body = res.entity().hasEntity() ? res.as(byte[].class) : new byte[0];
            return new Exchange(new ApiResponse(status, parse(body)), retryAfter);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static Optional<Duration> parseSeconds(String value) {
        try {
            long s = Long.parseLong(value.strip());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // HTTP-date form: fall back to our own backoff
        }
    }

    private SendException giveUp(ApiRequest request, int attempts, String last, Optional<Duration> retryAfter) {
        return new SendException(platform + " " + request + " failed after " + attempts + " attempt"
                + (attempts == 1 ? "" : "s") + ": " + last + "; will be retried later", true, retryAfter);
    }

    private void pause(ApiRequest request, Duration d) {
        try {
            options.sleeper().sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SendException.transientFailure(platform + " " + request + " interrupted while waiting to retry");
        }
    }

    /** JSON encoding for request bodies. */
    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AdapterException("cannot encode JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public void close() {
        client.closeResource();
    }
}

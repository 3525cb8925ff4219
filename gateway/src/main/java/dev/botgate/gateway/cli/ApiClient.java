package dev.botgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.http.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The CLI's client of the server's API. The server is found through {@code BOTGATE_HOST} ({@code host:port},
 * default {@code 127.0.0.1:8080}) and authenticated with {@code BOTGATE_API_KEY} when set, like Ollama's
 * {@code OLLAMA_HOST}.
 */
public final class ApiClient {
    private final URI base;
    private final Optional<String> apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public ApiClient(String hostPort, Optional<String> apiKey) {
        String h = hostPort.startsWith("http://") || hostPort.startsWith("https://") ? hostPort : "http://" + hostPort;
        this.base = URI.create(h.endsWith("/") ? h.substring(0, h.length() - 1) : h);
        this.apiKey = apiKey;
    }

    /** The client for the environment's {@code BOTGATE_HOST} and {@code BOTGATE_API_KEY}. */
    public static ApiClient fromEnv(Map<String, String> env) {
        return new ApiClient(env.getOrDefault("BOTGATE_HOST", "127.0.0.1:8080"),
                Optional.ofNullable(env.get("BOTGATE_API_KEY")).filter(k -> !k.isBlank()));
    }

    public URI base() {
        return base;
    }

    /** Whether a Botgate server answers at the address. */
    public boolean serverRunning() {
        try {
            HttpResponse<String> r = http.send(request("/api/version").timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 || r.statusCode() == 401;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    public JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build());
    }

    public JsonNode delete(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build());
    }

    /** Posts and reads a stream of JSON lines (NDJSON) until the server closes it. */
    public void stream(String path, Object body, Consumer<JsonNode> line) {
        HttpRequest req = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
        try {
            HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() >= 400) {
                throw error(r.statusCode(), new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = in.readLine()) != null) {
                    if (l.isBlank()) {
                        continue;
                    }
                    JsonNode node = Json.MAPPER.readTree(l);
                    if (node.has("error")) {
                        throw new CliException(node.get("error").asText());
                    }
                    line.accept(node);
                }
            }
        } catch (ConnectException e) {
            throw notRunning();
        } catch (IOException e) {
            throw new CliException("connection to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        apiKey.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return b;
    }

    private JsonNode send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() >= 400) {
                throw error(r.statusCode(), r.body());
            }
            return r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
        } catch (ConnectException e) {
            throw notRunning();
        } catch (IOException e) {
            throw new CliException("connection to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private CliException notRunning() {
        return new CliException("could not connect to a Botgate server at " + base
                + "; start one with 'botgate serve' or set BOTGATE_HOST");
    }

    private static CliException error(int status, String body) {
        String message = body;
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode e = n.path("error");
            message = e.isTextual() ? e.asText() : e.path("message").asText(body);
        } catch (IOException ignored) {
            // not JSON: show the body as it is
        }
        if (status == 401) {
            message += " (set BOTGATE_API_KEY)";
        }
        return new CliException(message);
    }
}

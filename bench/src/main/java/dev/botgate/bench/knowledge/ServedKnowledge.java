package dev.botgate.bench.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import dev.botgate.gateway.http.Json;
import dev.botgate.knowledge.index.Fusion;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.index.Upload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A real Botgate built as {@code botgate serve} builds it ({@link Wiring#create} from the default configuration plus
 * the given YAML, {@link Botgate#start} on port 0), and its knowledge and bot APIs called over HTTP. Benchmarks
 * measure through this, so they measure what users get: the server's own options, embedder and search request
 * parsing, not a copy wired by hand.
 */
final class ServedKnowledge implements AutoCloseable {
    private final Botgate botgate;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String root;

    private ServedKnowledge(Botgate botgate) {
        this.botgate = botgate;
        this.root = "http://127.0.0.1:" + botgate.port();
    }

    /**
     * Starts a server on {@code home} with the defaults of {@code config/application.yaml}, port 0, and {@code yaml}
     * merged over them (e.g. a {@code bots:} list; {@code bots: []} when empty).
     */
    static ServedKnowledge start(Path home, String yaml) throws IOException {
        Files.createDirectories(home);
        Path config = home.resolve("bench.yaml");
        Files.writeString(config, """
                server:
                  port: 0
                paths:
                  home: "%s"
                %s
                """.formatted(home, yaml.isBlank() ? "bots: []" : yaml), StandardCharsets.UTF_8);
        Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), Map.of()), Map.of());
        return new ServedKnowledge(Botgate.start(Wiring.create(settings, Map.of())));
    }

    Botgate botgate() {
        return botgate;
    }

    /** {@code POST /admin/kb}. */
    void create(String base) {
        call("POST", "/admin/kb", Json.bytes(Map.of("name", base)), "application/json");
    }

    /** What an import did. */
    record Imported(long chunks, int skipped, double seconds) {
    }

    /** {@code POST /admin/kb/BASE/upload} as multipart, then polls the job until it is done. */
    Imported upload(String base, List<Upload> files) throws InterruptedException {
        String boundary = "----botgate-bench-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Upload f : files) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + f.fileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(f.content());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode job = call("POST", "/admin/kb/" + base + "/upload", body.toByteArray(),
                "multipart/form-data; boundary=" + boundary);
        String id = job.get("id").asText();
        while (!job.get("state").asText().equals("done")) {
            if (job.get("state").asText().equals("failed")) {
                throw new IllegalStateException("import failed: " + job.path("error").asText());
            }
            Thread.sleep(100);
            job = call("GET", "/admin/kb/jobs/" + id, null, null);
        }
        return new Imported(job.get("chunks").asLong(), job.get("skipped").size(),
                job.get("elapsed_seconds").asDouble());
    }

    /** {@code GET /admin/kb/BASE}: its chunk count. */
    long chunks(String base) {
        return call("GET", "/admin/kb/" + base, null, null).get("chunks").asLong();
    }

    /**
     * {@code POST /admin/kb/BASE/search} with the request's query, top, threshold and fusion (one base). A threshold
     * of minus infinity is sent as -1, the API's lowest, which keeps every hit of every fusion.
     */
    List<SearchHit> search(SearchRequest r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", r.query());
        body.put("top", r.top());
        body.put("min_score", Math.max(-1, r.minScore()));
        body.put("fusion", r.fusion().name().toLowerCase(Locale.ROOT));
        JsonNode out = call("POST", "/admin/kb/" + r.bases().getFirst() + "/search", Json.bytes(body),
                "application/json");
        try {
            return List.of(Json.MAPPER.treeToValue(out.get("hits"), SearchHit[].class));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable search hits: " + e.getMessage(), e);
        }
    }

    /** Every candidate of a query (both retrievers' top 50) with its keyword evidence and cosine, via the API. */
    List<SearchHit> candidates(String base, String query) {
        return search(SearchRequest.builder(query).bases(base).top(100).minScore(-1).fusion(Fusion.VECTOR).build());
    }

    /** One question to a bot through {@code POST /v1/chat/completions} ({@code model: bot/ID}); the reply text. */
    String ask(String bot, String conversation, String message) {
        Map<String, Object> body = Map.of("model", "bot/" + bot, "user", conversation,
                "messages", List.of(Map.of("role", "user", "content", message)));
        JsonNode out = call("POST", "/v1/chat/completions", Json.bytes(body), "application/json");
        return out.get("choices").get(0).get("message").get("content").asText();
    }

    private JsonNode call(String method, String path, byte[] body, String type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofMinutes(5));
        if (body == null) {
            b.GET();
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", type);
        }
        try {
            HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": " + res.statusCode() + " "
                        + new String(res.body(), StandardCharsets.UTF_8));
            }
            return Json.MAPPER.readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        botgate.close();
    }

}

package dev.botgate.gateway;

import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.TinyGguf;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real Botgate on port 0 for tests: the real llama.cpp engine on a generated tiny GGUF (installed as
 * {@code tiny:latest}), the real embedding model and Lucene, real HTTP. Everything lives in a temp data directory.
 */
public final class TestGateway implements AutoCloseable {
    public static final String MODEL = "tiny:latest";
    private final Botgate botgate;
    private final Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway(Botgate botgate, Path home) {
        this.botgate = botgate;
        this.home = home;
    }

    /**
     * @param yaml extra configuration (e.g. a {@code bots:} list, {@code server:} keys), merged over test defaults
     */
    public static TestGateway start(String yaml, Map<String, String> extraEnv) throws IOException {
        return startIn(Files.createTempDirectory("botgate-test"), yaml, extraEnv);
    }

    /** Starts on an existing data directory (a restart). */
    public static TestGateway startIn(Path home, String yaml, Map<String, String> extraEnv) throws IOException {
        Path gguf = TinyGguf.builder().write(home.resolve("tiny.gguf"));
        ModelStore.builder(home.resolve("models")).build().pull(gguf.toString(), p -> { });
        String base = """
                server:
                  port: 0
                paths:
                  home: "%s"
                engine:
                  threads: 1
                  context-size: 1024
                  parallel-slots: 2
                  queue-capacity: 4
                bots: []
                """.formatted(home);
        Path config = home.resolve("test.yaml");
        Files.writeString(config, merge(base, yaml), StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(extraEnv);
        Settings settings = Settings.from(ConfigFiles.load(Optional.of(config), env), env);
        return new TestGateway(Botgate.start(Wiring.create(settings, env)), home);
    }

    /** Appends the extra YAML, replacing top-level sections the base also has. */
    private static String merge(String base, String extra) {
        if (extra.isBlank()) {
            return base;
        }
        StringBuilder out = new StringBuilder();
        java.util.Set<String> extraSections = new java.util.HashSet<>();
        extra.lines().filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0)) && l.contains(":"))
                .forEach(l -> extraSections.add(l.substring(0, l.indexOf(':'))));
        boolean skip = false;
        for (String l : base.split("\n")) {
            if (!l.isEmpty() && !Character.isWhitespace(l.charAt(0))) {
                skip = extraSections.contains(l.substring(0, l.indexOf(':')));
            }
            if (!skip) {
                out.append(l).append('\n');
            }
        }
        return out.append(extra).toString();
    }

    public Botgate botgate() {
        return botgate;
    }

    public Path home() {
        return home;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + botgate.port() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> delete(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        botgate.close();
    }

    /** Polls {@code condition} every 50 ms for up to 30 s; fails the test naming {@code what} if it never holds. */
    public static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}

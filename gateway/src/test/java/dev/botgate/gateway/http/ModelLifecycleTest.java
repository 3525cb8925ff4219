package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Pull, create, delete and cancellation over the Ollama API, with a local HTTP server playing the model host. */
public class ModelLifecycleTest {
    private TestGateway gw;
    private HttpServer host;
    private byte[] gguf;

    @BeforeClass
    public void start() throws Exception {
        // The model host below speaks plain http on 127.0.0.1: allowed explicitly (models.pull-hosts).
        gw = TestGateway.start("""
                models:
                  pull-hosts: ["http://127.0.0.1"]
                """, Map.of());
        Path file = TinyGguf.builder().seed(7).write(Files.createTempDirectory("host").resolve("m.gguf"));
        gguf = Files.readAllBytes(file);
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/models/other.gguf", ex -> {
            ex.sendResponseHeaders(200, gguf.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(gguf);
            }
        });
        host.createContext("/models/page.gguf", ex -> {
            byte[] html = "<html>login</html>".getBytes();
            ex.sendResponseHeaders(200, html.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(html);
            }
        });
        host.start();
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
        if (host != null) {
            host.stop(0);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + host.getAddress().getPort() + path;
    }

    @Test
    public void pullStreamsOllamaProgressAndTheModelAppears() throws Exception {
        HttpResponse<String> r = gw.post("/api/pull", "{\"model\":\"" + url("/models/other.gguf") + "\"}");
        assertEquals(r.statusCode(), 200, r.body());
        List<String> lines = r.body().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(Json.MAPPER.readTree(lines.getLast()).path("status").asText(), "success");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"total\":" + gguf.length)), "progress carries totals");
        assertTrue(gw.get("/api/tags").body().contains("other:latest"));
        assertEquals(gw.post("/api/create", "{\"model\":\"kind\",\"from\":\"other\",\"system\":\"Be kind.\","
                + "\"parameters\":{\"temperature\":0.1}}").statusCode(), 200);
        JsonNode show = Json.MAPPER.readTree(gw.post("/api/show", "{\"model\":\"kind\"}").body());
        assertEquals(show.path("system").asText(), "Be kind.");
        assertEquals(gw.delete("/api/delete", "{\"model\":\"kind\"}").statusCode(), 200);
        assertEquals(gw.post("/api/show", "{\"model\":\"kind\"}").statusCode(), 404);
    }

    @Test
    public void pullErrorsAreClear() throws Exception {
        HttpResponse<String> notFound = gw.post("/api/pull", "{\"model\":\"" + url("/models/none.gguf") + "\","
                + "\"stream\":false}");
        assertEquals(notFound.statusCode(), 404, notFound.body());
        HttpResponse<String> html = gw.post("/api/pull", "{\"model\":\"" + url("/models/page.gguf") + "\","
                + "\"stream\":false}");
        assertEquals(html.statusCode(), 422, html.body());
        assertTrue(Json.MAPPER.readTree(html.body()).path("error").asText().toLowerCase().contains("gguf"), html.body());
        HttpResponse<String> streamed = gw.post("/api/pull", "{\"model\":\"" + url("/models/none.gguf") + "\"}");
        assertEquals(streamed.statusCode(), 404, "a refusal before any progress is a real status");
    }

    @Test
    public void aClientThatGoesAwayFreesItsSlot() throws Exception {
        HttpResponse<InputStream> r = gw.http().send(HttpRequest.newBuilder(gw.uri("/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"go on\",\"raw\":true,"
                        + "\"options\":{\"num_predict\":100000}}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = r.body();
        in.read(new byte[64]);
        // (The random model may reach its end-of-text token early; the engine's own tests prove mid-stream
        // cancellation. Here: a client that leaves never strands a slot, and the server keeps serving.)
        in.close();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int slots = 1;
        while (System.nanoTime() < end && slots > 0) {
            Thread.sleep(100);
            slots = Json.MAPPER.readTree(gw.get("/api/ps").body()).path("models").get(0).path("busy_slots").asInt();
        }
        assertEquals(slots, 0, "the slot is free again after the client went away");
        assertEquals(gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"x\",\"stream\":false,"
                + "\"options\":{\"num_predict\":2}}").statusCode(), 200, "and the server still answers");
    }
}

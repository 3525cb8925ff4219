package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.botgate.backend.store.HostileGgufs;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.cli.CliTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Issue 9, "a file kills the process" and the pull/Modelfile path rules, over real HTTP against a real server: every
 * hostile GGUF the test writes is answered 4xx with its reason by {@code /api/pull} and {@code /api/create}, and the
 * server still answers afterwards. One of them passes every header check and aborts llama.cpp: only the trial load in
 * a child JVM stands between it and the server.
 */
public class HostileModelsTest {
    private TestGateway gw;
    private HttpServer host;
    private Path dir;

    @BeforeClass
    public void start() throws Exception {
        // The test's model host speaks plain http on 127.0.0.1: allowed explicitly, as an operator would a mirror.
        gw = TestGateway.start("""
                models:
                  pull-hosts: [huggingface.co, "http://127.0.0.1"]
                """, Map.of());
        dir = Files.createTempDirectory("hostile-models");
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/m/", ex -> {
            Path file = dir.resolve(ex.getRequestURI().getPath().substring(3));
            byte[] body = Files.readAllBytes(file);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        host.createContext("/away/", ex -> {
            ex.getResponseHeaders().set("Location", "http://localhost:" + host.getAddress().getPort() + "/m/"
                    + ex.getRequestURI().getPath().substring(6));
            ex.sendResponseHeaders(302, -1);
            ex.close();
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

    @DataProvider
    public Object[][] hostile() {
        List<Object[]> cases = new ArrayList<>();
        for (HostileGgufs.Case c : HostileGgufs.refusedByTheHeaderChecks()) {
            cases.add(new Object[]{c.name(), c.file(), c.reason()});
        }
        cases.add(new Object[]{"duplicate-token", HostileGgufs.abortsLlamaCppPastTheHeaderChecks(),
                HostileGgufs.DUPLICATE_TOKEN_ASSERT});
        return cases.toArray(Object[][]::new);
    }

    @Test(dataProvider = "hostile")
    public void pullOfAServerFileIsRefusedWithItsReason(String name, TinyGguf file, String reason) throws Exception {
        Path gguf = file.write(dir.resolve(name + ".gguf"));
        HttpResponse<String> r = gw.post("/api/pull", "{\"model\":" + json(gguf.toString()) + ",\"stream\":false}");
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(error(r).contains(reason), "the reason: " + r.body());
        assertStillServing(name);
    }

    @Test(dataProvider = "hostile")
    public void pullOverHttpIsRefusedWithItsReason(String name, TinyGguf file, String reason) throws Exception {
        file.write(dir.resolve(name + "-http.gguf"));
        HttpResponse<String> r = gw.post("/api/pull", "{\"model\":" + json(url("/m/" + name + "-http.gguf")) + "}");
        List<String> lines = r.body().lines().filter(l -> !l.isBlank()).toList();
        if (r.statusCode() == 200) {
            // The trial load runs after the download, whose progress was already streamed: the refusal is the last
            // line, as in Ollama's streaming API (and the CLI prints it as the error).
            assertTrue(Json.MAPPER.readTree(lines.getLast()).path("error").asText().contains(reason), r.body());
        } else {
            assertEquals(r.statusCode(), 400, r.body());
            assertTrue(error(r).contains(reason), "the reason: " + r.body());
        }
        HttpResponse<String> plain = gw.post("/api/pull", "{\"model\":" + json(url("/m/" + name + "-http.gguf"))
                + ",\"stream\":false}");
        assertEquals(plain.statusCode(), 400, plain.body());
        assertTrue(error(plain).contains(reason), "the reason: " + plain.body());
        assertStillServing(name + "-http");
    }

    @Test(dataProvider = "hostile")
    public void createIsRefusedWithItsReason(String name, TinyGguf file, String reason) throws Exception {
        Path gguf = file.write(dir.resolve(name + "-create.gguf"));
        HttpResponse<String> r = gw.post("/api/create", "{\"model\":\"bad\",\"modelfile\":"
                + json("FROM " + gguf + "\nSYSTEM Hi.\n") + "}");
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(error(r).contains(reason), "the reason: " + r.body());
        HttpResponse<String> fields = gw.post("/api/create", "{\"model\":\"bad\",\"from\":" + json(gguf.toString())
                + "}");
        assertEquals(fields.statusCode(), 400, fields.body());
        assertStillServing("bad");
    }

    @Test
    public void plainHttpAndOtherHostsAreRefusedNamingTheSetting() throws Exception {
        HttpResponse<String> http = gw.post("/api/pull", "{\"model\":\"http://huggingface.co/o/r/resolve/main/x.gguf\"}");
        assertEquals(http.statusCode(), 400, http.body());
        assertTrue(error(http).contains("models.pull-hosts"), http.body());
        HttpResponse<String> other = gw.post("/api/pull", "{\"model\":\"https://evil.example/x.gguf\"}");
        assertEquals(other.statusCode(), 400, other.body());
        assertTrue(error(other).contains("evil.example") && error(other).contains("models.pull-hosts"), other.body());
        TinyGguf.builder().write(dir.resolve("fine.gguf"));
        HttpResponse<String> away = gw.post("/api/pull", "{\"model\":" + json(url("/away/fine.gguf"))
                + ",\"stream\":false}");
        assertEquals(away.statusCode(), 400, "a redirect to an unlisted host: " + away.body());
        assertTrue(error(away).contains("localhost") && error(away).contains("models.pull-hosts"), away.body());
        assertStillServing("fine");
    }

    @Test
    public void aRelativeFromIsRefusedAndTheCliResolvesItAgainstTheModelfile() throws Exception {
        Path models = Files.createDirectories(dir.resolve("weights"));
        TinyGguf.builder().seed(11).write(models.resolve("mine.gguf"));
        HttpResponse<String> r = gw.post("/api/create", "{\"model\":\"rel\",\"modelfile\":\"FROM ../weights/mine.gguf\"}");
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(error(r).contains("relative path"), r.body());
        // The CLI resolves FROM against the Modelfile's own folder, wherever it runs from.
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("Modelfile"), "FROM ../weights/mine.gguf\nSYSTEM \"\"\"Be brief.\"\"\"\n");
        Map<String, String> env = Map.of("BOTGATE_HOST", "127.0.0.1:" + gw.botgate().port(),
                "BOTGATE_HOME", gw.home().toString());
        CliTest.Run out = CliTest.run(env, "create", "mine", "-f", project.resolve("Modelfile").toString());
        assertEquals(out.status(), 0, out.err());
        JsonNode show = Json.MAPPER.readTree(gw.post("/api/show", "{\"model\":\"mine\"}").body());
        assertEquals(show.path("system").asText(), "Be brief.", "created through the server");
    }

    @Test
    public void theCliShowsTheRefusalAsOneLine() throws Exception {
        Path gguf = HostileGgufs.abortsLlamaCppPastTheHeaderChecks().write(dir.resolve("cli.gguf"));
        Files.writeString(dir.resolve("Modelfile.cli"), "FROM ./cli.gguf\n");
        Map<String, String> env = Map.of("BOTGATE_HOST", "127.0.0.1:" + gw.botgate().port(),
                "BOTGATE_HOME", gw.home().toString());
        CliTest.Run create = CliTest.run(env, "create", "cli", "-f", dir.resolve("Modelfile.cli").toString());
        assertEquals(create.status(), 1, create.err());
        assertTrue(create.err().startsWith("Error: ") && create.err().contains(HostileGgufs.DUPLICATE_TOKEN_ASSERT),
                create.err());
        assertFalse(create.err().contains("\tat "), "no stack trace");
        CliTest.Run pull = CliTest.run(env, "pull", gguf.toString());
        assertEquals(pull.status(), 1, pull.err());
        assertTrue(pull.err().contains(HostileGgufs.DUPLICATE_TOKEN_ASSERT), pull.err());
        assertStillServing("cli");
    }

    @Test
    public void numCtxOfTwoToTheThirtyIsA400() throws Exception {
        HttpResponse<String> mf = gw.post("/api/create", "{\"model\":\"wide\",\"modelfile\":\"FROM tiny\\n"
                + "PARAMETER num_ctx 1073741824\\n\"}");
        assertEquals(mf.statusCode(), 400, mf.body());
        assertTrue(error(mf).contains("num_ctx"), mf.body());
        HttpResponse<String> fields = gw.post("/api/create", "{\"model\":\"wide\",\"from\":\"tiny\","
                + "\"parameters\":{\"num_ctx\":1073741824}}");
        assertEquals(fields.statusCode(), 400, fields.body());
        HttpResponse<String> trained = gw.post("/api/create", "{\"model\":\"wide\",\"from\":\"tiny\","
                + "\"parameters\":{\"num_ctx\":4096}}");
        assertEquals(trained.statusCode(), 400, "beyond the 2048 tokens tiny was trained for: " + trained.body());
        assertStillServing("wide");
    }

    /** The model is not listed, and the server still generates with the model it has. */
    private void assertStillServing(String refused) throws IOException {
        HttpResponse<String> tags = gw.get("/api/tags");
        assertEquals(tags.statusCode(), 200, tags.body());
        for (JsonNode m : Json.MAPPER.readTree(tags.body()).path("models")) {
            assertFalse(m.path("name").asText().startsWith(refused + ":"), "not stored: " + tags.body());
        }
        HttpResponse<String> gen = gw.post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"stream\":false,"
                + "\"options\":{\"num_predict\":1}}");
        assertEquals(gen.statusCode(), 200, "the server still answers: " + gen.body());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + host.getAddress().getPort() + path;
    }

    private static String error(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body()).path("error").asText();
    }

    private static String json(String s) {
        return new String(Json.bytes(s), StandardCharsets.UTF_8);
    }
}

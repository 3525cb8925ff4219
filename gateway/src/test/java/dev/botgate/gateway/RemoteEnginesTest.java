package dev.botgate.gateway;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.LlamaEngine;
import dev.botgate.backend.engine.RoutingEngine;
import dev.botgate.gateway.http.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Remote engines over real HTTP, where the remote engine is a real server: other Botgates in this JVM (real llama.cpp on
 * the tiny GGUF), which speak both the OpenAI and the Ollama protocol. Botgate "down" serves {@code far-oa} from
 * upstream A over the OpenAI protocol, {@code far-ol} from A over Ollama's, {@code pooled} from a pool of A and B, and
 * {@code ghost} from a server that does not exist.
 */
public class RemoteEnginesTest {
    private TestGateway upA;
    private TestGateway upB;
    private Path homeB;
    private int portB;
    private int deadPort;
    private TestGateway down;

    @BeforeClass
    public void start() throws Exception {
        // A long context, so that an unlimited answer runs long enough to be cancelled while it streams.
        upA = TestGateway.start("""
                engine:
                  threads: 1
                  context-size: 32768
                  parallel-slots: 2
                  queue-capacity: 4
                """, Map.of());
        portB = freePort();
        deadPort = freePort();
        homeB = Files.createTempDirectory("botgate-up-b");
        upB = TestGateway.startIn(homeB, "server:\n  port: " + portB + "\n", Map.of());
        String a = "http://127.0.0.1:" + upA.botgate().port();
        down = TestGateway.start("""
                engines:
                  - name: up-openai
                    type: openai
                    base-url: %1$s/v1
                    api-key: ${UPSTREAM_KEY}
                    models: [{name: far-oa, remote: "tiny:latest"}]
                  - name: up-ollama
                    type: ollama
                    base-url: %1$s
                    models:
                      - name: far-ol
                        remote: "tiny:latest"
                  - name: pool
                    type: ollama
                    base-url: [%1$s, http://127.0.0.1:%2$d]
                    connect-timeout: 1s
                    first-token-timeout: 10s
                    health-interval: 200ms
                    models: [{name: pooled, remote: "tiny:latest"}]
                  - name: dead
                    type: openai
                    base-url: http://127.0.0.1:%3$d/v1
                    connect-timeout: 1s
                    health-interval: 60s
                    models: [ghost]
                  - name: embed-oa
                    type: openai
                    base-url: %1$s/v1
                    models: [{name: remote-bge, remote: bge-small-zh-v1.5}]
                  - name: embed-ol
                    type: ollama
                    base-url: %1$s
                    models: [{name: remote-bge-ol, remote: bge-small-zh-v1.5}]
                bots:
                  - id: remote
                    channel: local
                    model: far-oa
                  - id: ghostbot
                    channel: local
                    model: ghost
                    busy: "忙，请稍后"
                """.formatted(a, portB, deadPort), Map.of("UPSTREAM_KEY", "not-needed-upstream"));
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        for (TestGateway g : new TestGateway[]{down, upA, upB}) {
            if (g != null) {
                g.close();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long requests(TestGateway gw, String route) {
        return gw.botgate().parts().metrics().counter("botgate_requests_total", "route=\"" + route + "\"");
    }

    private static long cancelledUpstream(TestGateway gw) {
        RoutingEngine r = RoutingEngine.of(gw.botgate().parts().engine()).orElseThrow();
        return ((LlamaEngine) r.local()).metrics().cancelled();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    public void ollamaClientOnAnOpenAiEngineGetsTheSameAnswerAsTheServerGivesDirectly() throws Exception {
        String options = "\"options\":{\"temperature\":0,\"seed\":7,\"num_predict\":8}";
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"tell me about tea\"}]";
        long before = requests(upA, "/v1/chat/completions");
        HttpResponse<String> via = down.post("/api/chat", "{\"model\":\"far-oa\",\"stream\":false," + messages + ","
                + options + "}");
        assertEquals(via.statusCode(), 200, via.body());
        HttpResponse<String> direct = upA.post("/api/chat", "{\"model\":\"tiny\",\"stream\":false," + messages + ","
                + options + "}");
        assertEquals(requests(upA, "/v1/chat/completions"), before + 1, "went upstream over the OpenAI protocol");
        assertEquals(json(via).path("message").path("content").asText(),
                json(direct).path("message").path("content").asText(), "same options, same greedy answer");
        assertEquals(json(via).path("eval_count").asInt(), 8, "num_predict became max_tokens: " + via.body());
        assertTrue(json(via).path("done").asBoolean());
    }

    @Test
    public void openAiClientOnAnOllamaEngineGetsTheSameAnswerAsTheServerGivesDirectly() throws Exception {
        String body = "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}],\"temperature\":0,\"seed\":3,"
                + "\"max_tokens\":6";
        long before = requests(upA, "/api/chat");
        HttpResponse<String> via = down.post("/v1/chat/completions", "{\"model\":\"far-ol\"," + body + "}");
        assertEquals(via.statusCode(), 200, via.body());
        HttpResponse<String> direct = upA.post("/v1/chat/completions", "{\"model\":\"tiny\"," + body + "}");
        assertEquals(requests(upA, "/api/chat"), before + 1, "went upstream over the Ollama protocol");
        assertEquals(json(via).path("choices").path(0).path("message").path("content").asText(),
                json(direct).path("choices").path(0).path("message").path("content").asText());
        assertEquals(json(via).path("usage").path("completion_tokens").asInt(), 6, via.body());
        assertEquals(json(via).path("choices").path(0).path("finish_reason").asText(), "length");
    }

    @Test
    public void bothProtocolsStreamThroughBothTranslations() throws Exception {
        // Ollama client, OpenAI upstream: NDJSON lines, the last one done.
        HttpResponse<String> nd = down.post("/api/chat", "{\"model\":\"far-oa\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"options\":{\"num_predict\":12}}");
        assertEquals(nd.statusCode(), 200, nd.body());
        List<String> lines = nd.body().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() > 2, "several lines: " + nd.body());
        assertTrue(Json.MAPPER.readTree(lines.getLast()).path("done").asBoolean(), lines.getLast());
        assertFalse(Json.MAPPER.readTree(lines.getFirst()).path("done").asBoolean(), "tokens before the end");
        // OpenAI client, Ollama upstream: SSE chunks, then [DONE].
        HttpResponse<String> sse = down.post("/v1/chat/completions", "{\"model\":\"far-ol\",\"stream\":true,"
                + "\"max_tokens\":12,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        assertEquals(sse.statusCode(), 200, sse.body());
        List<String> data = sse.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals(data.getLast(), "data: [DONE]");
        assertTrue(data.size() > 3, sse.body());
        // The random-weight model may emit its end token early, so the limit shows as "at most", never more.
        int used = data.stream().filter(l -> l.contains("\"completion_tokens\":"))
                .mapToInt(l -> Integer.parseInt(l.replaceAll(".*\"completion_tokens\":(\\d+).*", "$1")))
                .findFirst().orElse(-1);
        assertTrue(used >= 1 && used <= 12, "usage within max_tokens 12: " + sse.body());
        // Same protocol both sides works too.
        HttpResponse<String> same = down.post("/api/generate", "{\"model\":\"far-ol\",\"prompt\":\"hi\","
                + "\"stream\":false,\"options\":{\"num_predict\":4}}");
        assertEquals(same.statusCode(), 200, same.body());
        int evaluated = json(same).path("eval_count").asInt();
        assertTrue(evaluated >= 1 && evaluated <= 4, "num_predict 4 passed through: " + same.body());
        assertEquals(json(same).path("done_reason").asText(), evaluated == 4 ? "length" : "stop", same.body());
    }

    @Test
    public void jsonOutputIsAskedOfTheRemoteEngine() throws Exception {
        HttpResponse<String> r = down.post("/v1/chat/completions", "{\"model\":\"far-ol\",\"max_tokens\":40,"
                + "\"response_format\":{\"type\":\"json_object\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(r.statusCode(), 200, r.body());
        String content = json(r).path("choices").path(0).path("message").path("content").asText();
        assertTrue(content.strip().startsWith("{"), "upstream's grammar forced JSON: " + content);
    }

    @Test
    public void modelListsShowRemoteModelsWithTheirEngine() throws Exception {
        JsonNode tags = json(down.get("/api/tags"));
        JsonNode farOa = null;
        for (JsonNode m : tags.path("models")) {
            if (m.path("name").asText().equals("far-oa")) {
                farOa = m;
            }
        }
        assertTrue(farOa != null, tags.toString());
        assertEquals(farOa.path("engine").asText(), "up-openai");
        assertEquals(farOa.path("remote_model").asText(), "tiny:latest");
        assertTrue(tags.toString().contains("\"tiny:latest\""), "the local model is still listed");
        JsonNode models = json(down.get("/v1/models"));
        assertTrue(models.toString().contains("{\"id\":\"far-ol\",\"object\":\"model\""), models.toString());
        for (JsonNode m : models.path("data")) {
            if (m.path("id").asText().equals("far-ol")) {
                assertEquals(m.path("owned_by").asText(), "up-ollama");
            }
        }
        JsonNode show = json(down.post("/api/show", "{\"model\":\"pooled\"}"));
        assertEquals(show.path("engine").asText(), "pool", show.toString());
        assertTrue(show.path("modelfile").asText().contains("runs on engine 'pool'"), show.toString());
    }

    @Test
    public void botgateListAndShowNameTheEngine() {
        Map<String, String> env = Map.of("BOTGATE_HOST", "127.0.0.1:" + down.botgate().port(), "BOTGATE_HOME",
                down.home().toString());
        String list = cli(env, "list");
        assertTrue(list.startsWith("NAME") && list.lines().findFirst().orElse("").contains("ENGINE"), list);
        assertTrue(list.lines().anyMatch(l -> l.startsWith("far-oa ") && l.contains("up-openai")), list);
        assertTrue(list.lines().anyMatch(l -> l.startsWith("tiny:latest ") && l.strip().endsWith("local")), list);
        String show = cli(env, "show", "far-ol");
        assertTrue(show.contains("up-ollama") && show.contains("tiny:latest"), show);
    }

    private static synchronized String cli(Map<String, String> env, String... args) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(dev.botgate.gateway.cli.BotgateCommand.run(args, env), 0, "exit status of " + List.of(args));
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    public void aBotOnARemoteModelAnswersFromIt() throws Exception {
        long before = requests(upA, "/v1/chat/completions");
        HttpResponse<String> r = down.post("/admin/bots/remote/chat", "{\"message\":\"hello\",\"stream\":false}");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(json(r).path("policy").asText(), "model", r.body());
        assertEquals(requests(upA, "/v1/chat/completions"), before + 1, "answered by the remote engine");
    }

    @Test
    public void aBotWhoseEngineIsDownGivesItsBusyReply() throws Exception {
        HttpResponse<String> r = down.post("/admin/bots/ghostbot/chat", "{\"message\":\"hello\",\"stream\":false}");
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(json(r).path("answer").asText(), "忙，请稍后", r.body());
    }

    @Test
    public void nothingReachableIs502Then503NamingTheEngineWithinSeconds() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> first = down.post("/v1/chat/completions", "{\"model\":\"ghost\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> second = down.post("/api/chat", "{\"model\":\"ghost\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(first.statusCode() == 502 || first.statusCode() == 503, first.statusCode() + " " + first.body());
        assertTrue(first.body().contains("engine 'dead'"), first.body());
        assertEquals(second.statusCode(), 503, "the server is out: answered at once: " + second.body());
        assertTrue(second.body().contains("engine 'dead'") && second.body().contains("127.0.0.1:" + deadPort),
                second.body());
        assertTrue(second.headers().firstValue("Retry-After").isPresent(), "Retry-After on 503");
        assertTrue(ms < 3000, "both answered in " + ms + " ms");
        JsonNode engines = json(down.get("/admin/engines"));
        JsonNode dead = null;
        for (JsonNode e : engines.path("engines")) {
            if (e.path("name").asText().equals("dead")) {
                dead = e;
            }
        }
        assertTrue(dead != null, engines.toString());
        assertEquals(dead.path("status").asText(), "DOWN");
        assertTrue(dead.path("servers").path(0).path("last_error").asText().contains("connect"), dead.toString());
        JsonNode ready = json(down.get("/health/ready"));
        assertTrue(ready.path("engines").path("dead").toString().contains("DOWN"), ready.toString());
        String metrics = down.get("/metrics").body();
        assertTrue(metrics.contains("botgate_engine_errors_total{engine=\"dead\",model=\"ghost\",kind=\"down\"}"),
                metrics);
    }

    @Test
    public void cancellingTheClientCancelsTheUpstreamGeneration() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long before = cancelledUpstream(upA);
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(down.uri("/api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"far-ol\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"write forever\"}],\"options\":{\"num_predict\":-1}}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(r.statusCode(), 200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertTrue(reader.readLine().contains("\"done\":false"), "streaming began");
        long t0 = System.nanoTime();
        r.body().close();
        try {
            TestGateway.waitFor(() -> cancelledUpstream(upA) > before, "the upstream generation was cancelled");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; client disconnects seen by this Botgate: "
                    + down.botgate().parts().metrics().counter("botgate_client_disconnects_total",
                    "route=\"/api/chat\"") + ", by the upstream: " + upA.botgate().parts().metrics().counter(
                    "botgate_client_disconnects_total", "route=\"/api/chat\"") + "; upstream engine "
                    + ((LlamaEngine) RoutingEngine.of(upA.botgate().parts().engine()).orElseThrow().local()).metrics());
        }
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "cancelled within seconds");
        String metrics = down.get("/metrics").body();
        assertTrue(metrics.contains("botgate_engine_requests_total{engine=\"up-ollama\",model=\"far-ol\"}"), metrics);
    }

    /**
     * Regression: Helidon reports a client that went away with its own unchecked exceptions, which the generation loop
     * did not catch, so the generation ran on to its end (1731 tokens, measured) instead of being cancelled.
     */
    @Test
    public void aClientThatGoesAwayCancelsALocalGeneration() throws Exception {
        LlamaEngine engine = (LlamaEngine) RoutingEngine.of(upA.botgate().parts().engine()).orElseThrow().local();
        long before = engine.metrics().cancelled();
        String body = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"write forever\"}],"
                + "\"options\":{\"num_predict\":-1}}";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", upA.botgate().port())) {
            s.getOutputStream().write(("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            assertTrue(s.getInputStream().read(new byte[300]) > 0, "the answer began");
        }
        TestGateway.waitFor(() -> engine.metrics().cancelled() > before, "the generation was cancelled");
    }

    @Test
    public void aKnowledgeBaseEmbeddedByARemoteEngineFindsWhatTheBuiltInModelFinds() throws Exception {
        Path doc = Files.createTempDirectory("kb-doc").resolve("保养手册.md");
        Files.writeString(doc, "# 保养手册\n\n## 实木家具\n\n实木家具避免阳光直射，每半年用护理蜡保养一次。\n\n## 布艺沙发\n\n"
                + "布艺沙发每周吸尘，污渍用中性清洁剂轻拭。\n", StandardCharsets.UTF_8);
        double[] scores = new double[3];
        String[] bases = {"near", "far-oa-kb", "far-ol-kb"};
        String[] models = {"", "remote-bge", "remote-bge-ol"};
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = down.post("/admin/kb", "{\"name\":\"" + bases[i] + "\""
                    + (models[i].isEmpty() ? "" : ",\"embedding_model\":\"" + models[i] + "\"") + "}");
            assertEquals(created.statusCode(), 201, created.body());
            assertEquals(json(created).path("dimension").asInt(), 512, created.body());
            if (!models[i].isEmpty()) {
                assertEquals(json(created).path("model_id").asText(), models[i], "the model's name is stored");
            }
            String job = json(down.post("/admin/kb/" + bases[i] + "/import", "{\"paths\":[\"" + doc + "\"]}"))
                    .path("id").asText();
            String base = bases[i];
            TestGateway.waitFor(() -> down.get("/admin/kb/jobs/" + job).body().contains("\"done\""),
                    "import into " + base);
            JsonNode hits = json(down.post("/admin/kb/" + bases[i] + "/search", "{\"query\":\"实木家具怎么保养\","
                    + "\"top\":1}")).path("hits");
            assertTrue(hits.path(0).path("text").asText().contains("护理蜡"), bases[i] + ": " + hits);
            scores[i] = hits.path(0).path("score").asDouble();
        }
        assertEquals(scores[1], scores[0], 0.01, "the same model over OpenAI's protocol gives the same score");
        assertEquals(scores[2], scores[0], 0.01, "the same model over Ollama's protocol gives the same score");
        HttpResponse<String> unknown = down.post("/admin/kb", "{\"name\":\"nope\",\"embedding_model\":\"ghost-embed\"}");
        assertEquals(unknown.statusCode(), 400, unknown.body());
        assertTrue(unknown.body().contains("ghost-embed"), unknown.body());
    }

    @Test(priority = 10)
    public void aPoolSpreadsRequestsAndMovesOffAStoppedServerThenTakesItBack() throws Exception {
        String chat = "{\"model\":\"pooled\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"options\":{\"num_predict\":3}}";
        long a0 = requests(upA, "/api/chat");
        long b0 = requests(upB, "/api/chat");
        // Concurrent requests: the least busy server takes each, so both get some.
        List<CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> down.post("/api/chat", chat)));
        }
        for (var c : calls) {
            assertEquals(c.get(30, TimeUnit.SECONDS).statusCode(), 200);
        }
        assertTrue(requests(upA, "/api/chat") > a0 && requests(upB, "/api/chat") > b0,
                "both servers served: A " + (requests(upA, "/api/chat") - a0) + ", B "
                        + (requests(upB, "/api/chat") - b0));

        // B goes away while a long answer streams from the pool: nothing hangs, new requests go to A.
        CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> down.post("/api/chat",
                "{\"model\":\"pooled\",\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],"
                        + "\"options\":{\"num_predict\":-1}}"));
        upB.close();
        upB = null;
        HttpResponse<String> during = running.get(30, TimeUnit.SECONDS);
        assertEquals(during.statusCode(), 200, "the running stream ended, normally or with an error line");
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = down.post("/api/chat", chat);
            assertEquals(r.statusCode(), 200, r.body());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "no hang on the stopped server");
        }
        TestGateway.waitFor(() -> poolServer(portB).map(s -> s.path("status").asText().equals("DOWN"))
                .orElse(false), "B shown down in /admin/engines");

        // B returns on the same port: the health check takes it back, and it serves again.
        upB = TestGateway.startIn(homeB, "server:\n  port: " + portB + "\n", Map.of());
        TestGateway.waitFor(() -> poolServer(portB).map(s -> s.path("status").asText().equals("UP"))
                .orElse(false), "B back up in /admin/engines");
        long b1 = requests(upB, "/api/chat");
        for (int i = 0; i < 6 && requests(upB, "/api/chat") == b1; i++) {
            assertEquals(down.post("/api/chat", chat).statusCode(), 200);
        }
        assertTrue(requests(upB, "/api/chat") > b1, "B serves again");
    }

    private Optional<JsonNode> poolServer(int port) {
        try {
            for (JsonNode e : json(down.get("/admin/engines")).path("engines")) {
                for (JsonNode s : e.path("servers")) {
                    if (e.path("name").asText().equals("pool") && s.path("url").asText().endsWith(":" + port)) {
                        return Optional.of(s);
                    }
                }
            }
            return Optional.empty();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    public void aRemoteModelNamedLikeALocalOneStopsTheStartNamingBoth() {
        ConfigException e = expectThrows(ConfigException.class, () -> TestGateway.start("""
                engines:
                  - name: gpu
                    type: openai
                    base-url: http://127.0.0.1:9/v1
                    models: [tiny]
                """, Map.of()));
        assertTrue(e.getMessage().contains("'tiny'") && e.getMessage().contains("engine 'gpu'")
                && e.getMessage().contains("local model"), e.getMessage());
    }

    @Test
    public void badEngineSettingsNameTheKey() throws Exception {
        Path f = Files.createTempFile("engines", ".yaml");
        Files.writeString(f, """
                engines:
                  - name: gpu
                    type: openai
                    base-url: http://gpu:8000/v1
                    first-token-timeout: soon
                    models: [a]
                """);
        ConfigException e = expectThrows(ConfigException.class,
                () -> Settings.from(ConfigFiles.load(Optional.of(f), Map.of()), Map.of()));
        assertEquals(e.getMessage(), "engines[0] (gpu).first-token-timeout: must be a duration such as 30s, 500ms or "
                + "PT30S, got 'soon'");
        Files.writeString(f, """
                engines:
                  - name: gpu
                    type: openai
                    base-url: http://gpu:8000/v1
                    api-key: ${GPU_KEY}
                    models: auto
                """);
        e = expectThrows(ConfigException.class,
                () -> Settings.from(ConfigFiles.load(Optional.of(f), Map.of()), Map.of()));
        assertEquals(e.getMessage(), "engines[0] (gpu).api-key: environment variable GPU_KEY is not set");
        Settings s = Settings.from(ConfigFiles.load(Optional.of(f), Map.of("GPU_KEY", "k")), Map.of("GPU_KEY", "k"));
        assertTrue(s.engines().getFirst().autoModels());
        assertEquals(s.engines().getFirst().apiKey(), Optional.of("k"));
        assertEquals(s.engines().getFirst().servers(), List.of(URI.create("http://gpu:8000/v1")));
    }
}

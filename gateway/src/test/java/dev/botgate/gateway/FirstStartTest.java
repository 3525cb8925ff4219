package dev.botgate.gateway;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.http.Json;
import dev.botgate.gateway.pipeline.BotAnswerer;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.testng.annotations.Test;

/**
 * A new user's first start (issue 9): the README's first question asked the moment the server answers gets the real
 * answer or "still importing", never the fallback; readiness waits for the demo base; a seed that did not finish is
 * completed at the next start; the data directory is the owner's alone.
 */
public class FirstStartTest {
    private static final String FALLBACK = "抱歉，这个问题我还不知道，已为您转人工客服。";
    private static final String DEMO = """
            bots:
              - id: demo
                channel: local
                knowledge: [demo]
                fallback: "%s"
            """.formatted(FALLBACK);

    private static JsonNode ask(TestGateway gw, String question) throws Exception {
        HttpResponse<String> r = gw.post("/admin/bots/demo/chat", Json.MAPPER.writeValueAsString(
                Map.of("message", question, "stream", false)));
        assertEquals(r.statusCode(), 200, r.body());
        return Json.MAPPER.readTree(r.body());
    }

    private static Set<String> demoSources(TestGateway gw) throws Exception {
        Set<String> sources = new HashSet<>();
        for (JsonNode d : Json.MAPPER.readTree(gw.get("/admin/kb/demo/documents").body()).path("documents")) {
            sources.add(d.path("source").asText());
        }
        return sources;
    }

    @Test
    public void theFirstQuestionTheMomentHealthAnswersIsNeverTheFallback() throws Exception {
        try (TestGateway gw = TestGateway.start(DEMO, Map.of())) {
            assertEquals(gw.get("/health").statusCode(), 200, "the server answers");
            HttpResponse<String> ready = gw.get("/health/ready");
            JsonNode first = ask(gw, "怎么退货？");
            String answer = first.path("answer").asText();
            assertFalse(answer.contains("转人工"), "never the fallback while the demo base imports: " + first);
            assertTrue(answer.contains("申请退货") || answer.equals(BotAnswerer.IMPORTING),
                    "the real answer, or that the base is still importing: " + first);
            if (ready.statusCode() != 200) {
                assertEquals(ready.statusCode(), 503, ready.body());
                assertTrue(ready.body().contains("importing: demo"), "says what is pending: " + ready.body());
            }
            TestGateway.waitFor(() -> gw.get("/health/ready").statusCode() == 200, "ready once the demo base is");
            assertEquals(demoSources(gw), Set.of("qinghe-faq.csv", "after-sales-policy.md"), "the whole sample");
            JsonNode after = ask(gw, "怎么退货？");
            assertTrue(after.path("answer").asText().contains("申请退货"), "answered once ready: " + after);
        }
    }

    @Test
    public void aSeedThatDidNotFinishIsCompletedAtTheNextStart() throws Exception {
        Path home = Files.createTempDirectory("botgate-seed");
        // What a kill during seeding, or a start refused after the base was created, leaves: the demo base with only
        // part of the sample (imports commit whole documents).
        Path csv = Files.createTempDirectory("sample").resolve("qinghe-faq.csv");
        try (InputStream in = Wiring.class.getResourceAsStream("/sample-kb/qinghe-faq.csv")) {
            Files.write(csv, in.readAllBytes());
        }
        try (TestGateway gw = TestGateway.startIn(home, "", Map.of())) {
            assertEquals(gw.post("/admin/kb", "{\"name\":\"demo\"}").statusCode(), 201);
            String job = Json.MAPPER.readTree(gw.post("/admin/kb/demo/import", "{\"paths\":[\"" + csv + "\"]}")
                    .body()).path("id").asText();
            TestGateway.waitFor(() -> gw.get("/admin/kb/jobs/" + job).body().contains("\"state\":\"done\""),
                    "the partial sample is imported");
            assertEquals(demoSources(gw), Set.of("qinghe-faq.csv"));
        }
        try (TestGateway gw = TestGateway.startIn(home, DEMO, Map.of())) {
            TestGateway.waitFor(() -> gw.get("/health/ready").statusCode() == 200, "the seed is completed");
            assertEquals(demoSources(gw), Set.of("qinghe-faq.csv", "after-sales-policy.md"), "the missing document");
            JsonNode jobs = Json.MAPPER.readTree(gw.get("/admin/kb/jobs").body()).path("jobs");
            assertEquals(jobs.size(), 1, "one seeding job: " + jobs);
            assertEquals(jobs.get(0).path("files_total").asInt(), 1, "only what was missing is imported: " + jobs);
            assertEquals(jobs.get(0).path("documents_added").asInt(), 1, jobs.toString());
        }
        try (TestGateway gw = TestGateway.startIn(home, DEMO, Map.of())) {
            assertEquals(gw.get("/health/ready").statusCode(), 200, "a complete sample is not imported again");
            assertEquals(Json.MAPPER.readTree(gw.get("/admin/kb/jobs").body()).path("jobs").size(), 0);
        }
    }

    @Test
    public void anEmptyDemoBaseLeftByARefusedStartIsSeeded() throws Exception {
        Path home = Files.createTempDirectory("botgate-seed-empty");
        try (TestGateway gw = TestGateway.startIn(home, "", Map.of())) {
            assertEquals(gw.post("/admin/kb", "{\"name\":\"demo\"}").statusCode(), 201);
        }
        try (TestGateway gw = TestGateway.startIn(home, DEMO, Map.of())) {
            TestGateway.waitFor(() -> gw.get("/health/ready").statusCode() == 200, "the seed is completed");
            assertEquals(demoSources(gw), Set.of("qinghe-faq.csv", "after-sales-policy.md"));
            assertTrue(ask(gw, "怎么退货？").path("answer").asText().contains("申请退货"));
        }
    }

    @Test
    public void theDataDirectoryIsTheOwnersAlone() throws Exception {
        // A data directory as an older version left it: readable by everyone, key hashes included.
        Path home = Files.createTempDirectory("botgate-perms");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path keys = Files.writeString(home.resolve("api-keys"), "");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-r--r--"));
        // What onnxruntime leaves in the temp directory when the JVM is killed.
        Path stale = Files.createDirectories(home.resolve("tmp/onnxruntime-java123"));
        try (TestGateway gw = TestGateway.startIn(home, "", Map.of())) {
            assertFalse(Files.exists(stale), "a killed run's empty onnxruntime folder is cleared at start");
            gw.post("/admin/kb", "{\"name\":\"private\"}");
            assertEquals(mode(home), "rwx------", "the data directory");
            assertEquals(mode(keys), "rw-------", "the API-key hashes");
            assertEquals(mode(home.resolve("messages.db")), "rw-------", "the message record");
            for (String dir : new String[]{"models", "knowledge", "native"}) {
                assertEquals(mode(home.resolve(dir)), "rwx------", dir);
            }
            Path wal = home.resolve("messages.db-wal");
            if (Files.exists(wal)) {
                assertEquals(mode(wal), "rw-------", "SQLite's journal takes the record's mode");
            }
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}

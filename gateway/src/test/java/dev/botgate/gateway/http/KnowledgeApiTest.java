package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The knowledge-base admin API over real HTTP: multipart upload, jobs, documents, search test, errors. */
public class KnowledgeApiTest {
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("", Map.of());
        assertEquals(gw.post("/admin/kb", "{\"name\":\"docs\"}").statusCode(), 201);
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private HttpResponse<String> upload(String base, Map<String, String> files) {
        String boundary = "----botgate" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        files.forEach((name, content) -> {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content.getBytes(StandardCharsets.UTF_8));
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nmanual\r\n--"
                + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return gw.send(HttpRequest.newBuilder(gw.uri("/admin/kb/" + base + "/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    private JsonNode waitForJob(String id) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            JsonNode j = Json.MAPPER.readTree(gw.get("/admin/kb/jobs/" + id).body());
            if (j.path("state").asText().equals("done") || j.path("state").asText().equals("failed")) {
                return j;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job did not finish");
    }

    @Test
    public void uploadImportsSearchExplainsAndDocumentsCanBeDeleted() throws Exception {
        HttpResponse<String> r = upload("docs", Map.of(
                "退货政策.md", "# 退货政策\n\n## 运费\n\n质量问题退货运费由我们承担，型号 SKU-12345 除外。\n",
                "notes.exe", "MZ binary"));
        assertEquals(r.statusCode(), 202, r.body());
        JsonNode job = waitForJob(Json.MAPPER.readTree(r.body()).path("id").asText());
        assertEquals(job.path("state").asText(), "done", job.toString());
        assertEquals(job.path("documents_added").asInt(), 1);
        assertEquals(job.path("skipped").size(), 1, "the unsupported file is reported, the rest imported");
        assertTrue(job.path("skipped").get(0).path("reason").asText().length() > 10);

        JsonNode search = Json.MAPPER.readTree(gw.post("/admin/kb/docs/search",
                "{\"query\":\"SKU-12345 运费\",\"top\":3}").body());
        JsonNode hit = search.path("hits").get(0);
        assertEquals(hit.path("title").asText(), "退货政策.md");
        assertEquals(hit.path("heading_path").toString(), "[\"退货政策\",\"运费\"]");
        assertTrue(hit.path("highlighted").asText().contains("<em>"), hit.toString());
        assertTrue(hit.has("keyword_score") && hit.has("vector_similarity") && hit.has("keyword_rank")
                && hit.has("vector_rank") && hit.has("direct_answer"), "every part of the score is explained");

        JsonNode docs = Json.MAPPER.readTree(gw.get("/admin/kb/docs/documents").body()).path("documents");
        assertEquals(docs.size(), 1);
        String id = docs.get(0).path("id").asText();
        assertTrue(docs.get(0).path("imported_at").asText().contains("T"), "ISO-8601 time");
        JsonNode chunks = Json.MAPPER.readTree(gw.get("/admin/kb/docs/documents/" + id + "/chunks").body());
        assertFalse(chunks.path("chunks").isEmpty());
        assertEquals(gw.delete("/admin/kb/docs/documents/" + id, "").statusCode(), 204);
        assertEquals(gw.delete("/admin/kb/docs/documents/" + id, "").statusCode(), 404);
    }

    @Test
    public void aLinkOutOfTheImportedFolderIsNotFollowed() throws Exception {
        // Issue 9: server-path import followed links, so search showed /etc/passwd lines and the API-key hash file.
        assertEquals(gw.post("/admin/kb", "{\"name\":\"linked\"}").statusCode(), 201);
        Path secretDir = Files.createTempDirectory("outside");
        Path secret = Files.writeString(secretDir.resolve("passwd"),
                "root:x:0:0:zzsecretzz:/root:/bin/bash\n", StandardCharsets.UTF_8);
        Path folder = Files.createTempDirectory("docs");
        Files.writeString(folder.resolve("退货.md"), "# 退货\n\n七天无理由退货。\n", StandardCharsets.UTF_8);
        Files.createSymbolicLink(folder.resolve("passwd.txt"), secret);
        Files.createSymbolicLink(folder.resolve("keys.txt"), gw.home().resolve("test.yaml"));
        HttpResponse<String> r = gw.post("/admin/kb/linked/import", "{\"paths\":[\"" + folder + "\"]}");
        assertEquals(r.statusCode(), 202, r.body());
        JsonNode job = waitForJob(Json.MAPPER.readTree(r.body()).path("id").asText());
        assertEquals(job.path("state").asText(), "done", job.toString());
        assertEquals(job.path("documents_added").asInt(), 1, "only the folder's own file: " + job);
        assertTrue(job.path("skipped").toString().contains("passwd.txt")
                && job.path("skipped").toString().contains("outside the imported folder"), job.toString());
        assertTrue(job.path("skipped").toString().contains("keys.txt"), job.toString());
        JsonNode hits = Json.MAPPER.readTree(gw.post("/admin/kb/linked/search",
                "{\"query\":\"zzsecretzz root\",\"top\":10}").body()).path("hits");
        for (JsonNode hit : hits) {
            assertFalse(hit.path("text").asText().contains("zzsecretzz"), "the outside file is not indexed: " + hit);
        }
        JsonNode docs = Json.MAPPER.readTree(gw.get("/admin/kb/linked/documents").body()).path("documents");
        assertEquals(docs.size(), 1, docs.toString());
    }

    @Test
    public void theDataDirectoryIsNeverImported() {
        for (Path p : List.of(gw.home(), gw.home().resolve("test.yaml"), gw.home().resolve("knowledge"))) {
            HttpResponse<String> r = gw.post("/admin/kb/docs/import", "{\"paths\":[\"" + p + "\"]}");
            assertEquals(r.statusCode(), 403, p + ": " + r.body());
            assertTrue(r.body().contains("never imported"), r.body());
        }
        HttpResponse<String> relative = gw.post("/admin/kb/docs/import", "{\"paths\":[\"docs\"]}");
        assertEquals(relative.statusCode(), 400, relative.body());
        assertTrue(relative.body().contains("absolute"), relative.body());
    }

    @Test
    public void oversizedSynonymsAndDictionariesAre400NamingTheLimit() {
        StringBuilder terms = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            terms.append(i == 0 ? "" : ",").append("词").append(i);
        }
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/kb/docs/synonyms"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rules\":[\"" + terms + "\"]}")).build());
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(r.body().contains("at most 32 terms per rule"), r.body());
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 20_001; i++) {
            words.append(i == 0 ? "" : ",").append("\"w").append(i).append('"');
        }
        r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/kb/docs/dictionary"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"words\":[" + words + "]}")).build());
        assertEquals(r.statusCode(), 400, r.body());
        assertTrue(r.body().contains("at most 20000"), r.body());
    }

    @Test
    public void errorsSayWhatToDo() throws Exception {
        HttpResponse<String> missing = gw.post("/admin/kb/nope/search", "{\"query\":\"x\"}");
        assertEquals(missing.statusCode(), 404);
        assertTrue(Json.MAPPER.readTree(missing.body()).path("error").asText().contains("botgate kb create nope"));
        assertEquals(gw.post("/admin/kb", "{\"name\":\"docs\"}").statusCode(), 409, "exists already");
        assertEquals(gw.post("/admin/kb", "{\"name\":\"../etc\"}").statusCode(), 400, "path tricks refused");
        assertEquals(gw.post("/admin/kb/docs/search", "{\"query\":\"\"}").statusCode(), 400);
        assertEquals(gw.post("/admin/kb/docs/search", "{\"query\":\"x\",\"top\":1000}").statusCode(), 400);
        assertEquals(gw.post("/admin/kb/docs/import", "{\"paths\":[\"/no/such/dir\"]}").statusCode(), 400);
        HttpResponse<String> notMultipart = gw.post("/admin/kb/docs/upload", "{}");
        assertEquals(notMultipart.statusCode(), 415, notMultipart.body());
        assertEquals(gw.get("/admin/kb/jobs/unknown").statusCode(), 404);
    }
}

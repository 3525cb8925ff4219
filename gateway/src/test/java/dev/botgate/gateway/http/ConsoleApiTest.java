package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * What the console relies on, over real HTTP and without a browser (so it runs where Chromium is absent): bot health
 * that tells the truth about knowledge bases, every chat recorded, Q&amp;A edits reaching the next answer, and the
 * console's files served from the class path under a strict CSP.
 */
public class ConsoleApiTest {
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("""
                bots:
                  - id: shop
                    channel: local
                    knowledge: [shop-faq]
                """, Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private JsonNode bot(String id) throws Exception {
        for (JsonNode b : Json.MAPPER.readTree(gw.get("/admin/bots").body()).path("bots")) {
            if (b.path("id").asText().equals(id)) {
                return b;
            }
        }
        throw new AssertionError("no bot " + id);
    }

    private String ask(String question) throws Exception {
        HttpResponse<String> r = gw.post("/admin/bots/shop/chat", "{\"message\":\"" + question
                + "\",\"stream\":false,\"conversation_id\":\"t\"}");
        assertEquals(r.statusCode(), 200, r.body());
        return Json.MAPPER.readTree(r.body()).path("answer").asText();
    }

    private void uploadFaq() throws Exception {
        String boundary = "----botgate" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"faq.csv\""
                + "\r\nContent-Type: text/csv\r\n\r\nquestion,answer,similar\n营业时间？,每天 9:00-18:00。,几点上班\n"
                + "怎么退货？,七天内可以退货。,如何退货\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/admin/kb/shop-faq/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        String job = Json.MAPPER.readTree(r.body()).path("id").asText();
        TestGateway.waitFor(() -> gw.get("/admin/kb/jobs/" + job).body().contains("\"state\":\"done\""),
                "the import to finish");
    }

    @Test(priority = 0)
    public void aBotWhoseBaseIsMissingIsNotOkUntilTheBaseExistsAndRedAgainAfterItIsDeleted() throws Exception {
        JsonNode before = bot("shop");
        assertEquals(before.path("status").asText(), "error");
        assertTrue(before.path("issues").get(0).asText().contains("'shop-faq' does not exist"), before.toString());
        assertEquals(gw.post("/admin/kb", "{\"name\":\"shop-faq\"}").statusCode(), 201);
        assertEquals(bot("shop").path("status").asText(), "ok");
        uploadFaq();
    }

    @Test(priority = 1)
    public void consoleAndV1BotChatsAreRecorded() throws Exception {
        assertTrue(ask("怎么退货？").contains("七天内"));
        HttpResponse<String> v1 = gw.post("/v1/chat/completions", "{\"model\":\"bot/shop\",\"user\":\"u1\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"营业时间？\"}]}");
        assertEquals(v1.statusCode(), 200, v1.body());
        JsonNode msgs = Json.MAPPER.readTree(gw.get("/admin/conversations").body()).path("messages");
        String all = msgs.toString();
        assertTrue(all.contains("\"channel\":\"console\"") && all.contains("怎么退货？"), all);
        assertTrue(all.contains("\"channel\":\"api\"") && all.contains("\"sender\":\"u1\""), all);
        assertTrue(all.contains("\"state\":\"ANSWERED\""), all);
    }

    @Test(priority = 2)
    public void aQaEditReachesTheNextAnswerAndBadEditsAreRefused() throws Exception {
        JsonNode docs = Json.MAPPER.readTree(gw.get("/admin/kb/shop-faq/documents").body()).path("documents");
        String doc = docs.get(0).path("id").asText();
        JsonNode chunks = Json.MAPPER.readTree(gw.get("/admin/kb/shop-faq/documents/" + doc + "/chunks").body())
                .path("chunks");
        int hours = -1;
        for (JsonNode c : chunks) {
            if (c.path("questions").get(0).asText().equals("营业时间？")) {
                hours = c.path("ordinal").asInt();
            }
        }
        String path = "/admin/kb/shop-faq/documents/" + doc + "/qa/";
        HttpResponse<String> empty = gw.send(HttpRequest.newBuilder(gw.uri(path + hours))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"question\":\"营业时间？\",\"answer\":\"\"}")).build());
        assertEquals(empty.statusCode(), 400, "an empty answer is refused: " + empty.body());
        assertEquals(gw.send(HttpRequest.newBuilder(gw.uri(path + "99")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"question\":\"q\",\"answer\":\"a\"}")).build())
                .statusCode(), 404);
        HttpResponse<String> ok = gw.send(HttpRequest.newBuilder(gw.uri(path + hours))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"question\":\"营业时间？\",\"similar\":[\"几点开门\"],"
                        + "\"answer\":\"每天 8:00-20:00。\"}")).build());
        assertEquals(ok.statusCode(), 204, ok.body());
        assertTrue(ask("营业时间？").contains("8:00-20:00"), "the next answer is the edited one");
        assertTrue(ask("几点开门").contains("8:00-20:00"), "the new phrasing finds it");
        assertEquals(gw.delete(path + hours, "").statusCode(), 204);
        assertTrue(!ask("营业时间？").contains("8:00-20:00"), "a deleted entry no longer answers");
        assertEquals(gw.delete("/admin/kb/shop-faq", "").statusCode(), 204);
        assertEquals(bot("shop").path("status").asText(), "error", "deleting the base turns the bot red");
    }

    @Test
    public void theConsoleAndItsLibrariesAreServedLocallyUnderAStrictPolicy() {
        // As a browser asks (without text/html, GET / is the Ollama probe's plain answer since API parity).
        HttpResponse<String> page = gw.send(HttpRequest.newBuilder(gw.uri("/"))
                .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8").GET().build());
        assertEquals(page.statusCode(), 200);
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.body());
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self';"), "no inline or foreign script: " + csp);
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"), "no CDN in the page");
        for (String lib : new String[] {"/console/vendor/marked.min.js", "/console/vendor/purify.min.js",
                "/console/app.js", "/console/app.css"}) {
            HttpResponse<String> r = gw.get(lib);
            assertEquals(r.statusCode(), 200, lib);
            assertTrue(r.body().length() > 1000, lib + " has content");
        }
    }

    private HttpResponse<String> put(String path, String json) {
        return gw.send(HttpRequest.newBuilder(gw.uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test(priority = 3)
    public void botsMadeHereApplyAtOnceKeepSecretsWriteOnlyAndConfigurationBotsStayReadOnly() throws Exception {
        HttpResponse<String> bad = gw.post("/admin/bots", "{\"id\":\"Bad Id\",\"channel\":\"local\"}");
        assertEquals(bad.statusCode(), 400, bad.body());
        HttpResponse<String> noToken = gw.post("/admin/bots", "{\"id\":\"team\",\"channel\":\"slack\","
                + "\"slack\":{\"signing-secret\":\"s3cret\"}}");
        assertEquals(noToken.statusCode(), 400);
        assertTrue(noToken.body().contains("slack.bot-token"), "names the missing key: " + noToken.body());
        HttpResponse<String> made = gw.post("/admin/bots", "{\"id\":\"team\",\"channel\":\"slack\","
                + "\"fallback\":\"请联系人工\",\"slack\":{\"signing-secret\":\"s3cret-signing\","
                + "\"bot-token\":\"xoxb-1\",\"api-base\":\"http://127.0.0.1:9/api\"}}");
        assertEquals(made.statusCode(), 201, made.body());
        assertEquals(gw.post("/admin/bots", "{\"id\":\"team\",\"channel\":\"local\"}").statusCode(), 409);
        JsonNode settings = Json.MAPPER.readTree(gw.get("/admin/bots/team").body());
        assertEquals(settings.path("slack").path("signing-secret").asText(), "", "secrets are never shown");
        assertTrue(settings.path("secrets_set").toString().contains("signing-secret"));
        assertTrue(gw.get("/admin/bots").body().contains("/hooks/slack/team"), "listed at once, with its callback");
        assertTrue(Files.readString(gw.home().resolve("console-bots.yaml")).contains("s3cret-signing"), "saved");
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                gw.home().resolve("console-bots.yaml"))), "rw-------");
        HttpResponse<String> edit = put("/admin/bots/team", "{\"channel\":\"slack\",\"fallback\":\"稍后回复\","
                + "\"slack\":{\"signing-secret\":\"\",\"bot-token\":\"\",\"api-base\":\"http://127.0.0.1:9/api\"}}");
        assertEquals(edit.statusCode(), 200, "empty secrets keep the stored ones: " + edit.body());
        assertTrue(Files.readString(gw.home().resolve("console-bots.yaml")).contains("s3cret-signing"));
        assertEquals(put("/admin/bots/team/texts", "{\"welcome\":\"欢迎\"}").statusCode(), 200);
        assertEquals(put("/admin/bots/shop/texts", "{\"welcome\":\"x\"}").statusCode(), 409,
                "a configuration bot is read-only");
        assertEquals(gw.delete("/admin/bots/shop", "").statusCode(), 409);
        assertEquals(gw.post("/admin/bots", "{\"id\":\"desk\",\"channel\":\"local\",\"fallback\":\"找人工\"}")
                .statusCode(), 201);
        HttpResponse<String> answer = gw.post("/admin/bots/desk/chat", "{\"message\":\"你好\",\"stream\":false}");
        assertEquals(answer.statusCode(), 200, answer.body());
        assertTrue(answer.body().contains("找人工"), "a new bot answers without a restart: " + answer.body());
        assertEquals(gw.delete("/admin/bots/desk", "").statusCode(), 204);
        assertEquals(gw.post("/admin/bots/desk/chat", "{\"message\":\"你好\",\"stream\":false}").statusCode(), 404);
    }
}

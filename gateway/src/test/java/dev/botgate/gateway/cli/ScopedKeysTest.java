package dev.botgate.gateway.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.http.ApiKeys;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Issue 9: any key used to be an admin key. Keys now have a scope ({@code botgate keys new --scope use|admin}); keys
 * stored without one, in the config or in the key file, keep the admin power they had; with keys on, server-path
 * import reads only under {@code knowledge.import-roots}.
 */
public class ScopedKeysTest {
    private static final String CONFIG_KEY = "bg-legacy-config-key";
    private static final String FILE_KEY = "bg-legacy-file-key";
    private TestGateway gw;
    private Path importRoot;
    private Path outside;
    private String useKey;

    @BeforeClass
    public void start() throws Exception {
        importRoot = Files.createTempDirectory("import-root");
        Files.writeString(importRoot.resolve("faq.md"), "# 退货\n\n七天无理由退货。\n", StandardCharsets.UTF_8);
        outside = Files.createTempDirectory("not-a-root");
        Files.writeString(outside.resolve("faq.md"), "# 运费\n\n满百包邮。\n", StandardCharsets.UTF_8);
        Path home = Files.createTempDirectory("botgate-keys");
        // A key file written before keys had scopes: a bare hash, which must stay an admin key.
        Files.writeString(home.resolve("api-keys"), ApiKeys.hash(FILE_KEY) + "\n", StandardCharsets.UTF_8);
        gw = TestGateway.startIn(home, """
                server:
                  port: 0
                  api-keys: ["%s"]
                knowledge:
                  import-roots: ["%s"]
                """.formatted(ApiKeys.hash(CONFIG_KEY), importRoot), Map.of());
        CliTest.Run created = CliTest.run(env(), "keys", "new", "--scope", "use", "--config", config());
        assertEquals(created.status(), 0, created.err());
        useKey = created.out().strip();
        assertTrue(useKey.startsWith("bg-"), created.out());
        assertTrue(created.err().contains("use key"), created.err());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private Map<String, String> env() {
        return Map.of("BOTGATE_HOME", gw.home().toString());
    }

    private String config() {
        return gw.home().resolve("test.yaml").toString();
    }

    private HttpResponse<String> call(String method, String path, String key, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return gw.send(b.build());
    }

    @Test
    public void aUseKeyMayChatListAndShow() {
        assertEquals(call("GET", "/api/tags", useKey, null).statusCode(), 200);
        assertEquals(call("GET", "/api/version", useKey, null).statusCode(), 200);
        assertEquals(call("GET", "/v1/models", useKey, null).statusCode(), 200);
        assertEquals(call("POST", "/api/show", useKey, "{\"model\":\"tiny\"}").statusCode(), 200);
        HttpResponse<String> chat = call("POST", "/api/chat", useKey, "{\"model\":\"tiny\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"num_predict\":1}}");
        assertEquals(chat.statusCode(), 200, chat.body());
        HttpResponse<String> embed = call("POST", "/api/embed", useKey, "{\"model\":\"bge-small-zh-v1.5\","
                + "\"input\":\"你好\"}");
        assertEquals(embed.statusCode(), 200, embed.body());
        assertEquals(call("POST", "/admin/bots/none/chat", useKey, "{\"message\":\"hi\"}").statusCode(), 404,
                "bot chat passes the key check (and there is no such bot)");
    }

    @Test
    public void aUseKeyIsRefusedAdminRoutesNamingTheScopeNeeded() {
        for (String[] route : new String[][] {
                {"POST", "/api/pull", "{\"model\":\"x\"}"}, {"POST", "/api/create", "{\"model\":\"x\"}"},
                {"DELETE", "/api/delete", "{\"model\":\"tiny\"}"}, {"GET", "/admin/kb", null},
                {"POST", "/admin/kb", "{\"name\":\"x\"}"}, {"GET", "/admin/bots", null},
                {"GET", "/admin/conversations", null}, {"GET", "/metrics", null}}) {
            HttpResponse<String> r = call(route[0], route[1], useKey, route[2]);
            assertEquals(r.statusCode(), 403, route[0] + " " + route[1] + ": " + r.body());
            assertTrue(r.body().contains("scope 'admin'") && r.body().contains("--scope admin"), r.body());
        }
        assertEquals(call("GET", "/api/tags", "tiny", null).statusCode(), 401, "a wrong key is 401");
        assertTrue(call("GET", "/api/tags", null, null).statusCode() == 401, "no key is 401");
    }

    @Test
    public void keysStoredWithoutAScopeStayAdminKeys() {
        assertEquals(call("GET", "/admin/kb", CONFIG_KEY, null).statusCode(), 200, "bare hash in server.api-keys");
        assertEquals(call("GET", "/metrics", FILE_KEY, null).statusCode(), 200, "bare hash in the key file");
    }

    @Test
    public void keysListShowsEachScopeAndWhereItIsKept() {
        CliTest.Run list = CliTest.run(env(), "keys", "list", "--config", config());
        assertEquals(list.status(), 0, list.err());
        assertTrue(list.out().startsWith("SCOPE"), list.out());
        assertEquals(list.out().lines().filter(l -> l.startsWith("admin")).count(), 2L, list.out());
        assertEquals(list.out().lines().filter(l -> l.startsWith("use")).count(), 1L, list.out());
        assertTrue(list.out().contains("server.api-keys"), list.out());
        assertFalse(list.out().contains(useKey), "keys are never shown again");
        assertTrue(list.out().lines().anyMatch(l -> l.matches("use\\s+sha256:[0-9a-f]{12}…\\s+.*api-keys")),
                "the scope, the start of the hash and the file: " + list.out());
        CliTest.Run bad = CliTest.run(env(), "keys", "new", "--scope", "root", "--config", config());
        assertTrue(bad.status() != 0 && bad.err().contains("--scope must be use or admin"), bad.err());
    }

    @Test
    public void aNewKeyFileSaysItsFormatAndANewKeyIsAdminByDefault() throws Exception {
        Map<String, String> fresh = Map.of("BOTGATE_HOME", Files.createTempDirectory("botgate-fresh").toString());
        CliTest.Run created = CliTest.run(fresh, "keys", "new");
        assertEquals(created.status(), 0, created.err());
        String file = Files.readString(Path.of(fresh.get("BOTGATE_HOME"), "api-keys"), StandardCharsets.UTF_8);
        assertTrue(file.startsWith("# Botgate API keys") && file.contains("A bare sha256:<hex> is an admin key"), file);
        assertTrue(file.contains("admin:" + ApiKeys.hash(created.out().strip())), file);
        CliTest.Run list = CliTest.run(fresh, "keys", "list");
        assertEquals(list.out().lines().filter(l -> l.startsWith("admin")).count(), 1L, list.out());
        assertEquals(list.out().lines().count(), 2L, "the header line is not a key: " + list.out());
    }

    @Test
    public void withKeysOnServerPathImportReadsOnlyUnderTheImportRoots() {
        assertEquals(call("POST", "/admin/kb", CONFIG_KEY, "{\"name\":\"docs\"}").statusCode(), 201);
        HttpResponse<String> inside = call("POST", "/admin/kb/docs/import", CONFIG_KEY,
                "{\"paths\":[\"" + importRoot.resolve("faq.md") + "\"]}");
        assertEquals(inside.statusCode(), 202, inside.body());
        HttpResponse<String> out = call("POST", "/admin/kb/docs/import", CONFIG_KEY,
                "{\"paths\":[\"" + outside + "\"]}");
        assertEquals(out.statusCode(), 403, out.body());
        assertTrue(out.body().contains("knowledge.import-roots"), out.body());
        HttpResponse<String> data = call("POST", "/admin/kb/docs/import", CONFIG_KEY,
                "{\"paths\":[\"" + gw.home().resolve("api-keys") + "\"]}");
        assertEquals(data.statusCode(), 403, data.body());
        assertTrue(data.body().contains("never imported"), data.body());
        assertEquals(call("POST", "/admin/kb/docs/import", useKey, "{\"paths\":[\"" + importRoot + "\"]}")
                .statusCode(), 403, "a use key may not import at all");
    }
}

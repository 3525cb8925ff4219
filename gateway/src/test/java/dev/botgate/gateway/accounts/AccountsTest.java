package dev.botgate.gateway.accounts;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Console accounts over real HTTP, on a server whose API needs a key: setup once, sign-in, cookies, CSRF, roles,
 * rate limits, users' own keys. Tests run in order because setup happens once per server.
 */
public class AccountsTest {
    private static final String FILE_KEY = "bg-file-key-accounts";
    private TestGateway gw;

    /** A signed-in browser: its cookie and CSRF token. */
    record Browser(String cookie, String csrf) {
    }

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("""
                server:
                  port: 0
                  api-keys: ["%s"]
                """.formatted(ApiKeys.hash(FILE_KEY)), Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private HttpResponse<String> call(String method, String path, String json, Browser b, boolean csrf,
                                      String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(gw.uri(path)).method(method, json == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("Content-Type", "application/json");
        }
        if (b != null) {
            r.header("Cookie", b.cookie());
            if (csrf) {
                r.header(SessionAuthentication.CSRF_HEADER, b.csrf());
            }
        }
        if (headers.length > 0) {
            r.headers(headers);
        }
        return gw.send(r.build());
    }

    private static Browser browser(HttpResponse<String> signIn) {
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        JsonNode body = Json.parseObject(signIn.body().getBytes());
        return new Browser(setCookie.substring(0, setCookie.indexOf(';')), body.get("csrf").asText());
    }

    private Browser signIn(String user, String password) {
        HttpResponse<String> r = call("POST", "/admin/login", login(user, password), null, false);
        assertEquals(r.statusCode(), 200, "sign-in of " + user + ": " + r.body());
        return browser(r);
    }

    private static String login(String user, String password) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
    }

    private Browser admin() {
        return signIn("ada", "correct horse battery");
    }

    @Test(priority = 0)
    public void firstVisitCreatesTheAdminOnceWithAStrictHttpOnlyCookie() throws Exception {
        assertTrue(call("GET", "/admin/session", null, null, false).body().contains("\"setup_needed\":true"));
        assertEquals(call("POST", "/admin/setup", login("ada", "short"), null, false).statusCode(), 400,
                "a password under 8 characters is refused");
        HttpResponse<String> r = call("POST", "/admin/setup", login("ada", "correct horse battery"), null, false);
        assertEquals(r.statusCode(), 201, r.body());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertFalse(cookie.contains("Secure"), "plain http: a Secure cookie would never come back: " + cookie);
        assertEquals(call("POST", "/admin/setup", login("eve", "correct horse battery"), null, false).statusCode(),
                409, "setup works once");
        assertTrue(call("GET", "/admin/session", null, browser(r), false).body().contains("\"role\":\"admin\""));
        var mode = Files.getPosixFilePermissions(gw.home().resolve("accounts.db"));
        assertEquals(PosixFilePermissions.toString(mode), "rw-------");
        String db = new String(Files.readAllBytes(gw.home().resolve("accounts.db")), java.nio.charset.StandardCharsets.ISO_8859_1)
                + (Files.exists(gw.home().resolve("accounts.db-wal"))
                ? new String(Files.readAllBytes(gw.home().resolve("accounts.db-wal")),
                        java.nio.charset.StandardCharsets.ISO_8859_1) : "");
        assertFalse(db.contains("correct horse battery"), "no plain password on disk");
        assertTrue(db.contains("$argon2id$v=19$"), "an Argon2id hash on disk");
    }

    @Test(priority = 1)
    public void wrongPasswordIs401AndASessionCountsLikeAKey() {
        assertEquals(call("POST", "/admin/login", login("ada", "wrong password!"), null, false).statusCode(), 401);
        assertEquals(call("POST", "/admin/login", login("nobody", "wrong password!"), null, false).statusCode(), 401);
        assertEquals(call("GET", "/admin/kb", null, null, false).statusCode(), 401, "no session, no key");
        Browser a = admin();
        assertEquals(call("GET", "/admin/kb", null, a, false).statusCode(), 200);
        HttpResponse<String> secure = call("POST", "/admin/login", login("ada", "correct horse battery"), null, false,
                "X-Forwarded-Proto", "https");
        assertTrue(secure.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"),
                "behind an https proxy the cookie is Secure");
    }

    @Test(priority = 2)
    public void stateChangingRequestsByCookieNeedTheCsrfToken() {
        Browser a = admin();
        HttpResponse<String> without = call("POST", "/admin/kb", "{\"name\":\"csrf-kb\"}", a, false);
        assertEquals(without.statusCode(), 403, without.body());
        assertTrue(without.body().contains(SessionAuthentication.CSRF_HEADER));
        HttpResponse<String> wrong = call("POST", "/admin/kb", "{\"name\":\"csrf-kb\"}",
                new Browser(a.cookie(), "0".repeat(64)), true);
        assertEquals(wrong.statusCode(), 403);
        HttpResponse<String> with = call("POST", "/admin/kb", "{\"name\":\"csrf-kb\"}", a, true);
        assertTrue(with.statusCode() / 100 == 2, with.body());
    }

    @Test(priority = 3)
    public void viewersReadOnlyOperatorsKnowledgeAdminsEverything() {
        Browser a = admin();
        assertEquals(call("POST", "/admin/users", "{\"username\":\"vic\",\"password\":\"viewer password\","
                + "\"role\":\"viewer\"}", a, true).statusCode(), 201);
        assertEquals(call("POST", "/admin/users", "{\"username\":\"olga\",\"password\":\"operator password\","
                + "\"role\":\"operator\"}", a, true).statusCode(), 201);
        assertEquals(call("POST", "/admin/users", "{\"username\":\"vic\",\"password\":\"viewer password\"}", a, true)
                .statusCode(), 409, "names are unique");
        Browser v = signIn("vic", "viewer password");
        assertEquals(call("GET", "/admin/kb", null, v, false).statusCode(), 200, "viewers read");
        HttpResponse<String> write = call("POST", "/admin/kb", "{\"name\":\"viewer-kb\"}", v, true);
        assertEquals(write.statusCode(), 403);
        assertTrue(write.body().contains("viewers read only"), write.body());
        assertEquals(call("GET", "/admin/users", null, v, false).statusCode(), 403, "users are the admins' business");
        Browser o = signIn("olga", "operator password");
        assertTrue(call("POST", "/admin/kb", "{\"name\":\"operator-kb\"}", o, true).statusCode() / 100 == 2,
                "operators manage knowledge");
        assertEquals(call("POST", "/api/pull", "{\"model\":\"x\"}", o, true).statusCode(), 403,
                "operators do not manage models");
        assertEquals(call("DELETE", "/admin/users/vic", null, o, true).statusCode(), 403);
    }

    @Test(priority = 4)
    public void usersCreateKeysNoWiderThanTheirRole() {
        Browser v = signIn("vic", "viewer password");
        assertEquals(call("POST", "/admin/me/keys", "{\"name\":\"ci\",\"scope\":\"admin\"}", v, true).statusCode(),
                403, "a viewer cannot mint an admin key");
        HttpResponse<String> made = call("POST", "/admin/me/keys", "{\"name\":\"ci\",\"scope\":\"use\"}", v, true);
        assertEquals(made.statusCode(), 201, made.body());
        String key = Json.parseObject(made.body().getBytes()).get("key").asText();
        assertEquals(call("GET", "/api/tags", null, null, false, "Authorization", "Bearer " + key).statusCode(), 200);
        assertEquals(call("GET", "/admin/kb", null, null, false, "Authorization", "Bearer " + key).statusCode(), 403,
                "a use key cannot manage knowledge");
        assertTrue(call("GET", "/admin/me/keys", null, v, false).body().contains("\"name\":\"ci\""));
        assertFalse(call("GET", "/admin/me/keys", null, v, false).body().contains(key), "the key is shown once");
        Browser a = admin();
        String adminKey = Json.parseObject(call("POST", "/admin/me/keys", "{\"name\":\"ops\",\"scope\":\"admin\"}", a,
                true).body().getBytes()).get("key").asText();
        assertEquals(call("GET", "/admin/users", null, null, false, "Authorization", "Bearer " + adminKey)
                .statusCode(), 200);
        assertEquals(call("DELETE", "/admin/users/vic", null, a, true).statusCode(), 204);
        assertEquals(call("GET", "/api/tags", null, null, false, "Authorization", "Bearer " + key).statusCode(), 401,
                "a deleted user's keys stop working");
        assertEquals(call("GET", "/admin/session", null, v, false).body().contains("\"signed_in\":true"), false,
                "a deleted user's session ends");
    }

    @Test(priority = 5)
    public void theLastAdminStaysAndLogoutEndsTheSession() {
        Browser a = admin();
        assertEquals(call("PATCH", "/admin/users/ada", "{\"role\":\"viewer\"}", a, true).statusCode(), 409);
        HttpResponse<String> self = call("DELETE", "/admin/users/ada", null, a, true);
        assertEquals(self.statusCode(), 409, self.body());
        assertEquals(call("POST", "/admin/logout", "{}", a, true).statusCode(), 204);
        assertEquals(call("GET", "/admin/kb", null, a, false).statusCode(), 401, "the old cookie no longer works");
    }

    @Test(priority = 6)
    public void repeatedWrongPasswordsAreRateLimitedEvenForTheRightOne() {
        for (int i = 0; i < SignInLimiter.PER_USER; i++) {
            assertEquals(call("POST", "/admin/login", login("olga", "guess " + i + " wrong"), null, false)
                    .statusCode(), 401);
        }
        HttpResponse<String> r = call("POST", "/admin/login", login("olga", "operator password"), null, false);
        assertEquals(r.statusCode(), 429, r.body());
        assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) > 0);
        assertEquals(call("POST", "/admin/login", login("ada", "correct horse battery"), null, false).statusCode(),
                200, "another user from the same address may still sign in");
    }
}

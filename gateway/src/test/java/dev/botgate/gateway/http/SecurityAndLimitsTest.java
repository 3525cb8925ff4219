package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import dev.botgate.gateway.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** API keys, body limits and the bounded queue, on one server with keys configured and a tiny queue. */
public class SecurityAndLimitsTest {
    private static final String KEY = "bg-test-key-123";
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("""
                server:
                  port: 0
                  max-body-bytes: 4096
                  api-keys: ["%s"]
                engine:
                  threads: 1
                  context-size: 512
                  parallel-slots: 1
                  queue-capacity: 0
                """.formatted(ApiKeys.hash(KEY)), Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private HttpResponse<String> withKey(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return gw.send(b.build());
    }

    @Test
    public void apiNeedsTheKeyHealthAndHooksDoNot() {
        assertEquals(withKey("/api/tags", null).statusCode(), 401);
        assertTrue(withKey("/api/tags", null).body().contains("botgate keys new"));
        assertEquals(withKey("/v1/models", "wrong").statusCode(), 401);
        assertTrue(withKey("/v1/models", "wrong").body().contains("\"message\""), "OpenAI error shape under /v1");
        assertEquals(withKey("/admin/kb", null).statusCode(), 401);
        assertEquals(withKey("/metrics", null).statusCode(), 401);
        assertEquals(withKey("/api/tags", KEY).statusCode(), 200);
        assertEquals(withKey("/health", null).statusCode(), 200, "probes stay open");
        assertEquals(withKey("/hooks/slack/none", null).statusCode(), 404, "hooks use platform signatures, not keys");
    }

    @Test
    public void oversizedBodyIs413() {
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/api/chat")).header("Authorization",
                "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString("{\"x\":\"" + "a".repeat(10_000) + "\"}"))
                .build());
        assertEquals(r.statusCode(), 413);
        assertTrue(r.body().contains("server.max-body-bytes"), r.body());
    }

    @Test
    public void fullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
        String body = "{\"model\":\"tiny\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
                + "\"options\":{\"num_predict\":200}}";
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(gw.http().sendAsync(HttpRequest.newBuilder(gw.uri("/api/chat")).header("Authorization",
                    "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(r.statusCode(), 503, r.body());
                assertTrue(r.headers().firstValue("retry-after").isPresent(), "503 carries Retry-After");
                assertTrue(r.body().contains("busy"), r.body());
                busy++;
            }
        }
        assertTrue(ok >= 1, "the slot serves one request");
        assertTrue(busy >= 1, "with one slot and no queue, concurrent requests are refused, not left hanging");
    }
}

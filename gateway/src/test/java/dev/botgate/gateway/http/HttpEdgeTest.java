package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import dev.botgate.gateway.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Issue 9, the HTTP edge: what a web page on another site, a DNS-rebinding page, a sloppy or hostile client can send
 * to a keyless local server, over real sockets. Each refusal is a 4xx with a reason, never a 500, never a trace.
 */
public class HttpEdgeTest {
    private static final String EVIL = "http://evil.example";
    private TestGateway gw;
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeClass
    public void start() throws Exception {
        // Loopback and keyless: the local default that a browser page could reach. A WeCom bot so that a hook reads
        // its body (its platform API is never called: no message gets that far).
        gw = TestGateway.start("""
                server:
                  port: 0
                  max-hook-body-bytes: 65536
                  allowed-origins: ["https://*.example.org"]
                bots:
                  - id: support
                    channel: wecom
                    fallback: "转人工"
                    wecom: { corp-id: ww1, agent-id: "1000002", secret: s, token: t, encoding-aes-key: abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG, api-base: "http://127.0.0.1:9" }
                """, Map.of());
        Logger.getLogger("").addHandler(capture);
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        Logger.getLogger("").removeHandler(capture);
        if (gw != null) {
            gw.close();
        }
    }

    private int port() {
        return gw.botgate().port();
    }

    private RawHttp.Response raw(String method, String path, Map<String, String> headers, String body)
            throws Exception {
        return RawHttp.send(port(), method, path, headers, body);
    }

    @Test
    public void crossSiteKnowledgeImportIsRefused() throws Exception {
        // The reported attack: 201 before.
        RawHttp.Response rebinding = raw("POST", "/admin/kb", Map.of("Host", "attacker.example", "Origin", EVIL,
                "Content-Type", "text/plain"), "{\"name\":\"pwned1\"}");
        assertEquals(rebinding.status(), 403, rebinding.body());
        assertTrue(rebinding.body().contains("server.allowed-hosts"), rebinding.body());
        RawHttp.Response crossOrigin = raw("POST", "/admin/kb", Map.of("Origin", EVIL, "Content-Type", "text/plain"),
                "{\"name\":\"pwned2\"}");
        assertEquals(crossOrigin.status(), 403, crossOrigin.body());
        assertTrue(crossOrigin.body().contains("server.allowed-origins"), crossOrigin.body());
        assertEquals(crossOrigin.header("Access-Control-Allow-Origin"), "", "no CORS grant to a foreign origin");
        RawHttp.Response plainText = raw("POST", "/admin/kb", Map.of("Content-Type", "text/plain"),
                "{\"name\":\"pwned3\"}");
        assertEquals(plainText.status(), 415, plainText.body());
        assertTrue(plainText.body().contains("application/json"), plainText.body());
        RawHttp.Response form = raw("POST", "/admin/kb", Map.of("Origin", "http://localhost:3000", "Content-Type",
                "application/x-www-form-urlencoded"), "{\"name\":\"pwned4\"}");
        assertEquals(form.status(), 415, "a browser's form body is not JSON, even from an allowed origin");
        String bases = gw.get("/admin/kb").body();
        assertFalse(bases.contains("pwned"), "no knowledge base was created: " + bases);
    }

    @Test
    public void crossSitePullIsRefused() throws Exception {
        String body = "{\"model\":\"/etc/hostname\"}";
        assertEquals(raw("POST", "/api/pull", Map.of("Host", "attacker.example", "Origin", EVIL, "Content-Type",
                "text/plain"), body).status(), 403);
        assertEquals(raw("POST", "/api/pull", Map.of("Origin", EVIL, "Content-Type", "application/json"), body)
                .status(), 403, "a foreign origin cannot pull even with a JSON type (that would need a preflight)");
        assertEquals(raw("POST", "/api/pull", Map.of("Content-Type", "text/plain"), body).status(), 415);
    }

    @Test
    public void curlStyleRequestsStillWork() throws Exception {
        // curl -d sends the form type and no Origin: the documented curl lines keep working.
        RawHttp.Response r = raw("POST", "/admin/kb", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "{\"name\":\"curlbase\"}");
        assertEquals(r.status(), 201, r.body());
        RawHttp.Response untyped = raw("POST", "/api/show", Map.of(), "{\"model\":\"" + TestGateway.MODEL + "\"}");
        assertEquals(untyped.status(), 200, untyped.body());
    }

    @Test
    public void preflightFromAnAllowedOriginIsAnswered() throws Exception {
        for (String origin : List.of("http://localhost:5173", "http://127.0.0.1:3000", "https://[::1]",
                "https://chat.example.org")) {
            RawHttp.Response r = raw("OPTIONS", "/api/chat", Map.of("Origin", origin,
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Private-Network", "true",
                    "Access-Control-Request-Headers", "authorization, content-type, x-stainless-os"), null);
            assertEquals(r.status(), 204, origin + ": " + r.body());
            assertEquals(r.header("Access-Control-Allow-Origin"), origin);
            assertTrue(r.header("Vary").contains("Origin"), r.headers().toString());
            assertTrue(r.header("Access-Control-Allow-Methods").contains("POST"), r.headers().toString());
            String allowHeaders = r.header("Access-Control-Allow-Headers").toLowerCase();
            assertTrue(allowHeaders.contains("authorization") && allowHeaders.contains("content-type")
                    && allowHeaders.contains("x-stainless-os"), allowHeaders);
            assertEquals(r.header("Access-Control-Allow-Private-Network"), "true", "Chrome's local-network preflight");
        }
    }

    @Test
    public void preflightFromAForeignOriginIsRefused() throws Exception {
        for (String origin : List.of(EVIL, "null", "https://example.org.evil.example", "http://localhost.evil.example")) {
            RawHttp.Response r = raw("OPTIONS", "/admin/kb", Map.of("Origin", origin,
                    "Access-Control-Request-Method", "POST"), null);
            assertEquals(r.status(), 403, origin);
            assertEquals(r.header("Access-Control-Allow-Origin"), "", origin + " gets no CORS grant");
        }
    }

    @Test
    public void allowedOriginsCanReadAnswersAndErrorsForeignOnesCannot() throws Exception {
        RawHttp.Response ok = raw("GET", "/api/tags", Map.of("Origin", "http://localhost:8080"), null);
        assertEquals(ok.status(), 200);
        assertEquals(ok.header("Access-Control-Allow-Origin"), "http://localhost:8080");
        RawHttp.Response error = raw("POST", "/api/chat", Map.of("Origin", "http://localhost:8080",
                "Content-Type", "application/json"), "{}");
        assertTrue(error.status() >= 400 && error.status() < 500, error.status() + " " + error.body());
        assertEquals(error.header("Access-Control-Allow-Origin"), "http://localhost:8080",
                "an error answer is readable by the allowed page too");
        RawHttp.Response foreign = raw("GET", "/api/tags", Map.of("Origin", EVIL), null);
        assertEquals(foreign.header("Access-Control-Allow-Origin"), "");
    }

    @Test
    public void sameOriginConsoleIsAllowedOnItsOwnName() throws Exception {
        // The console opened as http://127.0.0.1:PORT posts with that Origin: same origin, always allowed.
        String self = "http://127.0.0.1:" + port();
        RawHttp.Response r = raw("POST", "/admin/kb", Map.of("Origin", self, "Content-Type", "application/json"),
                "{\"name\":\"console\"}");
        assertEquals(r.status(), 201, r.body());
    }

    @Test
    public void hostCheckSparesPlatformCallbacks() throws Exception {
        // Platforms reach hooks through proxies that forward the public name: refused by signature, not by Host.
        RawHttp.Response r = raw("POST", "/hooks/wecom/support?msg_signature=x&timestamp=1&nonce=n",
                Map.of("Host", "bots.public.example", "Content-Type", "text/xml"), "<xml></xml>");
        assertFalse(r.body().contains("DNS rebinding"), r.body());
        assertTrue(r.status() < 500, r.status() + " " + r.body());
        assertEquals(raw("GET", "/api/tags", Map.of("Host", "bots.public.example"), null).status(), 403);
        assertEquals(raw("GET", "/api/tags", Map.of("Host", "localhost:" + port()), null).status(), 200);
        assertEquals(raw("GET", "/api/tags", Map.of("Host", "[::1]:" + port()), null).status(), 200);
        assertEquals(raw("GET", "/api/tags", Map.of("Host", "127.0.0.2"), null).status(), 200);
    }

    @Test
    public void headIsAnsweredForEveryGet() throws Exception {
        for (String path : List.of("/", "/api/tags", "/api/version", "/health", "/v1/models")) {
            List<RawHttp.Response> r = RawHttp.headThenGet(port(), path);
            assertEquals(r.get(0).status(), 200, "HEAD " + path);
            assertEquals(r.get(1).status(), 200, "the GET after HEAD " + path + " parses: HEAD sent no body");
            assertEquals(r.get(0).header("Content-Type"), r.get(1).header("Content-Type"), "HEAD has GET's headers");
        }
        List<RawHttp.Response> missing = RawHttp.headThenGet(port(), "/api/nope");
        assertEquals(missing.get(0).status(), 404);
        assertEquals(missing.get(1).status(), 404, "the 404 after HEAD parses: HEAD sent no error body");
        HttpResponse<String> jdk = gw.send(HttpRequest.newBuilder(gw.uri("/")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(jdk.statusCode(), 200, "Ollama's heartbeat, HEAD /");
        assertEquals(gw.get("/api/version").statusCode(), 200, "the connection after a HEAD is still sound");
    }

    @Test
    public void unknownPathsAre404InTheNamespaceShape() throws Exception {
        for (String path : List.of("/nope", "/api/nope", "/admin/nope", "/favicon.ico", "/hooks/x")) {
            HttpResponse<String> r = gw.get(path);
            assertEquals(r.statusCode(), 404, path + ": " + r.body());
            assertTrue(r.body().startsWith("{\"error\":\"") && r.body().contains(path), path + ": " + r.body());
        }
        HttpResponse<String> v1 = gw.get("/v1/nope");
        assertEquals(v1.statusCode(), 404);
        assertTrue(v1.body().contains("\"message\"") && v1.body().contains("not_found_error"), v1.body());
    }

    @Test
    public void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = gw.delete("/api/tags", "{}");
        assertEquals(r.statusCode(), 405, r.body());
        assertTrue(r.headers().firstValue("allow").orElse("").contains("GET"), r.headers().toString());
        HttpResponse<String> chat = gw.get("/api/chat");
        assertEquals(chat.statusCode(), 405, chat.body());
        assertTrue(chat.headers().firstValue("allow").orElse("").contains("POST"));
        assertFalse(chat.headers().firstValue("allow").orElse("").contains("GET"));
        HttpResponse<String> v1 = gw.get("/v1/chat/completions");
        assertEquals(v1.statusCode(), 405);
        assertTrue(v1.body().contains("\"message\""), "OpenAI shape: " + v1.body());
        assertEquals(raw("PUT", "/hooks/wecom/support", Map.of(), "x").status(), 405);
        RawHttp.Response kb = raw("PATCH", "/admin/kb/demo/synonyms", Map.of("Content-Type", "application/json"),
                "{}");
        assertEquals(kb.status(), 405);
        assertTrue(kb.header("Allow").contains("PUT") && kb.header("Allow").contains("GET"), kb.headers().toString());
    }

    @Test
    public void deepJsonIs400() throws Exception {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        for (String path : List.of("/api/chat", "/api/generate", "/v1/chat/completions", "/admin/kb")) {
            HttpResponse<String> r = gw.post(path, "{\"messages\":" + deep + "}");
            assertEquals(r.statusCode(), 400, path + ": " + r.body());
            assertTrue(r.body().contains("nesting depth"), r.body());
        }
    }

    @Test
    public void emptyBodiesAre400() throws Exception {
        for (String path : List.of("/api/chat", "/api/generate", "/v1/chat/completions", "/v1/embeddings",
                "/api/embed", "/admin/kb")) {
            HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri(path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(r.statusCode(), 400, path + ": " + r.body());
            assertTrue(r.body().contains("empty"), r.body());
        }
        RawHttp.Response delete = raw("DELETE", "/api/delete", Map.of(), null);
        assertEquals(delete.status(), 400, "a handler that needs a body it did not get: " + delete.body());
    }

    @Test
    public void chunkedOversizedBodiesAreCutOff() throws Exception {
        long total = 45L * 1024 * 1024;
        RawHttp.Upload hook = RawHttp.chunked(port(), "/hooks/wecom/support?msg_signature=x&timestamp=1&nonce=n",
                Map.of("Content-Type", "text/xml"), total);
        assertEquals(hook.response().status(), 413, hook.response().body());
        assertTrue(hook.response().body().contains("server.max-hook-body-bytes"), hook.response().body());
        assertTrue(hook.bytesSent() < total / 4, "the server stopped reading early; the client wrote "
                + hook.bytesSent() + " of " + total + " bytes");
        RawHttp.Upload chat = RawHttp.chunked(port(), "/api/chat", Map.of("Content-Type", "application/json"), total);
        assertEquals(chat.response().status(), 413, chat.response().body());
        assertTrue(chat.response().body().contains("server.max-body-bytes"), chat.response().body());
        assertTrue(chat.bytesSent() < total / 4, "wrote " + chat.bytesSent() + " of " + total);
        assertEquals(gw.get("/api/version").statusCode(), 200, "the server is fine afterwards");
    }

    @Test
    public void brokenBodiesAre400() throws Exception {
        RawHttp.Response badChunk = RawHttp.sendAndHalfClose(port(), "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
        assertEquals(badChunk.status(), 400, badChunk.body());
        assertTrue(badChunk.body().contains("malformed chunked encoding"), badChunk.body());
        RawHttp.Response cut = RawHttp.sendAndHalfClose(port(), "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");
        assertEquals(cut.status(), 400, cut.body());
        assertTrue(cut.body().contains("closed before the body was complete"), cut.body());
    }

    @Test(dependsOnMethods = {"brokenBodiesAre400", "crossSiteKnowledgeImportIsRefused", "unknownPathsAre404InTheNamespaceShape",
            "wrongMethodIs405WithAllow", "deepJsonIs400", "emptyBodiesAre400", "chunkedOversizedBodiesAreCutOff",
            "headIsAnsweredForEveryGet"})
    public void clientErrorsLogNoStackTrace() {
        synchronized (logged) {
            for (LogRecord r : logged) {
                assertFalse(r.getThrown() != null && r.getLevel().intValue() >= Level.WARNING.intValue(),
                        "a client error logged a stack trace: " + r.getLoggerName() + " " + r.getMessage());
                assertFalse(r.getLevel().intValue() >= Level.SEVERE.intValue(),
                        "a client error logged an error: " + r.getLoggerName() + " " + r.getMessage());
            }
        }
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console at {@code /}: one page, its script and style, and the two libraries it uses (marked for Markdown,
 * DOMPurify to sanitise what marked makes), all from the class path: the libraries come from WebJars on Maven, so
 * the console loads with no internet. The page signs in through {@code /admin/login} and then talks to the same
 * APIs as everyone else. A client that does not ask for HTML gets Ollama's {@code Ollama is running} at {@code /}
 * instead, as Ollama's clients expect of {@code GET}/{@code HEAD /}.
 *
 * <pre>open http://localhost:8080/</pre>
 */
public final class ConsoleService implements HttpService {
    /** URL path → class-path resource and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/console/index.html", "text/html; charset=utf-8"},
            "/console/app.js", new String[] {"/console/app.js", "text/javascript; charset=utf-8"},
            "/console/app.css", new String[] {"/console/app.css", "text/css; charset=utf-8"},
            "/console/vendor/marked.min.js", new String[] {
                    "/META-INF/resources/webjars/marked/15.0.7/marked.min.js", "text/javascript; charset=utf-8"},
            "/console/vendor/purify.min.js", new String[] {
                    "/META-INF/resources/webjars/dompurify/3.2.6/dist/purify.min.js", "text/javascript; charset=utf-8"});
    /** No inline script, nothing from elsewhere: a script smuggled into an answer or a document cannot run. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    private final Map<String, byte[]> bodies = new java.util.HashMap<>();

    public ConsoleService() {
        FILES.forEach((path, file) -> bodies.put(path, read(file[0])));
    }

    private static byte[] read(String resource) {
        try (InputStream in = ConsoleService.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing from the class path: broken build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        FILES.forEach((path, file) -> rules.get(path, (req, res) -> {
            // Ollama's clients probe the server with GET or HEAD / and expect its plain answer; browsers ask for HTML.
            if (path.equals("/") && !req.headers().value(HeaderNames.ACCEPT).orElse("").contains("text/html")) {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                res.send("Ollama is running");
                return;
            }
            send(res, file[1], bodies.get(path));
        }));
    }

    private static void send(ServerResponse res, String type, byte[] body) {
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(body);
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web console at {@code /}: one static page that talks to the same APIs as everyone else. A client that does not
 * ask for HTML gets Ollama's {@code Ollama is running} instead, as Ollama's clients expect of {@code GET}/{@code HEAD /}.
 *
 * <pre>open http://localhost:8080/</pre>
 */
public final class ConsoleService implements HttpService {
    private final byte[] page;

    public ConsoleService() {
        try (InputStream in = ConsoleService.class.getResourceAsStream("/console/index.html")) {
            if (in == null) {
                throw new IllegalStateException("console/index.html missing from the classpath: broken build");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> {
            // Ollama's clients probe the server with GET or HEAD / and expect its plain answer; browsers ask for HTML.
            if (!req.headers().value(HeaderNames.ACCEPT).orElse("").contains("text/html")) {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                res.send("Ollama is running");
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'; "
                    + "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
            res.send(page);
        });
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.Map;

/**
 * {@code GET /api/version}, as Ollama answers it.
 *
 * <pre>curl localhost:8080/api/version</pre>
 */
public final class VersionService implements HttpService {
    private final String version;

    public VersionService(String version) {
        this.version = version;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/version", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.bytes(Map.of("version", version)));
        });
    }
}

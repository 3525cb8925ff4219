package dev.botgate.gateway.http;

import dev.botgate.gateway.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Liveness, readiness and Prometheus metrics.
 *
 * <pre>
 * curl localhost:8080/health          # {"status":"UP",...}
 * curl localhost:8080/health/ready    # 503 until ready
 * curl localhost:8080/metrics
 * </pre>
 */
public final class HealthService implements HttpService {
    private final Metrics metrics;
    private final Supplier<Map<String, String>> checks;
    private final Supplier<Map<String, Object>> details;

    /**
     * @param checks  readiness checks by name; a value other than "UP" makes readiness fail with that reason
     * @param details shown with liveness and readiness but not deciding it (each bot's platform link, each remote
     *                engine's servers)
     */
    public HealthService(Metrics metrics, Supplier<Map<String, String>> checks, Supplier<Map<String, Object>> details) {
        this.metrics = metrics;
        this.checks = checks;
        this.details = details;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::live)
             .get("/health/live", this::live)
             .get("/health/ready", this::ready)
             .get("/metrics", this::metrics);
    }

    private void live(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("checks", checks.get());
        body.putAll(details.get());
        Json.send(res, 200, body);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, String> c = checks.get();
        boolean up = c.values().stream().allMatch("UP"::equals);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", c);
        body.putAll(details.get());
        Json.send(res, up ? 200 : 503, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}

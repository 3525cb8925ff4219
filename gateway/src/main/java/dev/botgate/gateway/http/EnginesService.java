package dev.botgate.gateway.http;

import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.RoutingEngine;
import dev.botgate.backend.engine.remote.EngineStatus;
import dev.botgate.backend.engine.remote.ServerStatus;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote engines and each server of their pools: up or down, last error, latency, requests in flight.
 *
 * <pre>
 * curl localhost:8080/admin/engines
 * </pre>
 */
public final class EnginesService implements HttpService {
    private final Engine engine;

    public EnginesService(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/engines", this::engines);
    }

    private void engines(ServerRequest req, ServerResponse res) {
        List<EngineStatus> engines = RoutingEngine.of(engine).map(RoutingEngine::engines).orElse(List.of());
        List<Map<String, Object>> out = new ArrayList<>();
        for (EngineStatus e : engines) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("type", e.type());
            m.put("status", e.up() ? "UP" : "DOWN");
            m.put("models", e.models());
            m.put("servers", e.servers().stream().map(EnginesService::server).toList());
            out.add(m);
        }
        Json.send(res, 200, Map.of("engines", out));
    }

    private static Map<String, Object> server(ServerStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", s.url());
        m.put("status", s.up() ? "UP" : "DOWN");
        m.put("in_flight", s.inFlight());
        m.put("requests", s.requests());
        m.put("failures", s.failures());
        s.latency().ifPresent(l -> m.put("latency_ms", l.toNanos() / 1e6));
        if (!s.lastError().isEmpty()) {
            m.put("last_error", s.lastError());
        }
        s.lastErrorAt().ifPresent(t -> m.put("last_error_at", t.toString()));
        s.downSince().ifPresent(t -> m.put("down_since", t.toString()));
        return m;
    }

    /** Each engine's servers as {@code url: UP} or {@code url: DOWN (last error)}, for the health details. */
    public static Map<String, Map<String, String>> summary(List<EngineStatus> engines) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (EngineStatus e : engines) {
            Map<String, String> servers = new LinkedHashMap<>();
            for (ServerStatus s : e.servers()) {
                servers.put(s.url(), s.up() ? "UP" : "DOWN" + (s.lastError().isEmpty() ? "" : " (" + s.lastError()
                        + ")"));
            }
            out.put(e.name(), servers);
        }
        return out;
    }
}

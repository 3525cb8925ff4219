package dev.botgate.gateway;

import dev.botgate.backend.engine.Engine;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.HealthService;
import dev.botgate.gateway.http.HttpErrors;
import dev.botgate.gateway.http.OllamaService;
import dev.botgate.gateway.http.OpenAiService;
import dev.botgate.gateway.http.VersionService;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The running application: one web server on one port, wired by hand from its parts (STYLE R6). Tests build it
 * with {@link #start} on port 0 exactly as {@code botgate serve} does.
 */
public final class Botgate implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Botgate.class.getName());
    private final WebServer server;
    private final Parts parts;

    private Botgate(WebServer server, Parts parts) {
        this.server = server;
        this.parts = parts;
    }

    /** What the routes serve; built by {@link Parts#create}. */
    public record Parts(Settings settings, Engine engine, Metrics metrics, Supplier<Set<String>> apiKeyHashes) {
    }

    /**
     * Starts the server.
     *
     * @throws ConfigException when the configuration would expose the API without keys
     */
    public static Botgate start(Parts parts) {
        Settings.Server s = parts.settings().server();
        if (!s.loopbackOnly() && !s.allowUnauthenticated() && parts.apiKeyHashes().get().isEmpty()) {
            throw new ConfigException("server.host is " + s.host() + " (reachable from other machines) but no API key "
                    + "is configured. Create one with 'botgate keys new', or set server.allow-unauthenticated: true "
                    + "if an authenticating proxy stands in front of Botgate.");
        }
        WebServer server = WebServer.builder()
                .host(s.host())
                .port(s.port())
                .maxPayloadSize(s.maxBodyBytes())
                .routing(r -> routing(r, parts))
                .build()
                .start();
        LOG.log(Level.INFO, "Botgate " + Version.current() + " listening on http://" + s.host() + ":" + server.port());
        return new Botgate(server, parts);
    }

    /** Registers every route; the seam tests and {@link #start} share. */
    static void routing(HttpRouting.Builder routing, Parts parts) {
        HttpErrors.register(routing);
        Settings.Server s = parts.settings().server();
        if (!(s.loopbackOnly() && parts.apiKeyHashes().get().isEmpty()) && !s.allowUnauthenticated()) {
            routing.addFilter(new ApiKeys(parts.apiKeyHashes()));
        }
        routing.register("/api", new VersionService(Version.current()))
               .register("/api", new OllamaService(parts.engine(), parts.metrics()))
               .register("/v1", new OpenAiService(parts.engine(), parts.metrics()))
               .register(new HealthService(parts.metrics(), () -> readiness(parts)));
    }

    private static Map<String, String> readiness(Parts parts) {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("engine", "UP");
        return checks;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.port();
    }

    public Parts parts() {
        return parts;
    }

    @Override
    public void close() {
        server.stop();
        parts.engine().close();
    }
}

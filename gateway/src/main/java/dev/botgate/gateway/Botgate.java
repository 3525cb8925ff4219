package dev.botgate.gateway;

import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.store.ModelEntry;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.gateway.http.AdminService;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.BodyLimit;
import dev.botgate.gateway.http.BotChat;
import dev.botgate.gateway.http.ConsoleService;
import dev.botgate.gateway.handoff.Handoffs;
import dev.botgate.gateway.http.HandoffService;
import dev.botgate.gateway.http.HealthService;
import dev.botgate.gateway.http.ReviewService;
import dev.botgate.gateway.review.ReviewQueue;
import dev.botgate.gateway.http.HooksService;
import dev.botgate.gateway.http.HttpErrors;
import dev.botgate.gateway.http.KnowledgeService;
import dev.botgate.gateway.http.ModelRoutes;
import dev.botgate.gateway.http.OllamaService;
import dev.botgate.gateway.http.OpenAiService;
import dev.botgate.gateway.http.VersionService;
import dev.botgate.gateway.pipeline.BotAnswerer;
import dev.botgate.gateway.pipeline.ConversationWorkers;
import dev.botgate.gateway.pipeline.InboundDispatcher;
import dev.botgate.gateway.pipeline.MessageLog;
import dev.botgate.knowledge.index.Embedder;
import dev.botgate.knowledge.index.KnowledgeBases;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Everything the routes serve; {@link Wiring} builds it. */
    public record Parts(Settings settings, Engine engine, ModelStore store, KnowledgeBases knowledge,
                        Embedder embedder, BotRegistry bots, BotAnswerer answerer, InboundDispatcher dispatcher,
                        ConversationWorkers workers, MessageLog log, Metrics metrics, ApiKeyFile apiKeys,
                        Clock clock, java.util.concurrent.ExecutorService retrieval, Handoffs handoffs,
                        ReviewQueue review) {
    }

    /**
     * Starts the server.
     *
     * @throws ConfigException when the configuration would expose the API without keys
     */
    public static Botgate start(Parts parts) {
        Settings.Server s = parts.settings().server();
        if (!s.loopbackOnly() && !s.allowUnauthenticated() && parts.apiKeys().hashes().isEmpty()) {
            throw new ConfigException("server.host is " + s.host() + " (reachable from other machines) but no API key "
                    + "is configured. Create one with 'botgate keys new', or set server.allow-unauthenticated: true "
                    + "if an authenticating proxy stands in front of Botgate.");
        }
        WebServer server = WebServer.builder()
                .host(s.host())
                .port(s.port())
                .maxPayloadSize(Math.max(s.maxBodyBytes(), parts.settings().knowledge().maxUploadBytes()))
                .routing(r -> routing(r, parts))
                .build()
                .start();
        String publicUrl = s.publicUrl();
        String local = "http://" + (s.host().equals("0.0.0.0") ? "127.0.0.1" : s.host()) + ":" + server.port();
        parts.handoffs().consoleBase(() -> publicUrl.isEmpty() ? local : publicUrl);
        parts.dispatcher().recover();
        LOG.log(Level.INFO, "Botgate " + Version.current() + " listening on http://" + s.host() + ":" + server.port());
        return new Botgate(server, parts);
    }

    /** Registers every route; the seam tests and {@link #start} share. */
    static void routing(HttpRouting.Builder routing, Parts parts) {
        HttpErrors.register(routing);
        Settings.Server s = parts.settings().server();
        if (!s.allowUnauthenticated()) {
            // With no key configured on a loopback address the filter lets everything through (the local default).
            routing.addFilter(new ApiKeys(parts.apiKeys()::hashes, s.loopbackOnly()));
        }
        routing.addFilter(new BodyLimit(s.maxBodyBytes(), parts.settings().knowledge().maxUploadBytes()));
        BotChat botChat = new BotChat(parts.bots().bots(), parts.answerer());
        routing.register("/api", new VersionService(Version.current()))
               .register("/api", new OllamaService(parts.engine(), parts.metrics()))
               .register("/api", new ModelRoutes(parts.store(), parts.engine(), parts.embedder()))
               .register("/v1", new OpenAiService(parts.engine(), parts.metrics(), () -> modelNames(parts, botChat),
                       parts.embedder(), botChat))
               .register("/admin/kb", new KnowledgeService(parts.knowledge(),
                       parts.settings().knowledge().maxUploadBytes()))
               .register("/admin/conversations", new HandoffService(parts.handoffs(), parts.review(), parts.log()))
               .register("/admin/review", new ReviewService(parts.review()))
               .register("/admin", new AdminService(parts.bots().bots(), parts.bots().adapters(),
                       parts.bots().problems(), parts.answerer(), parts.log()))
               .register("/hooks", new HooksService(parts.bots().adapters(), parts.dispatcher(), parts.metrics(),
                       parts.clock()))
               .register(new HealthService(parts.metrics(), () -> readiness(parts), () -> details(parts)))
               .register("/", new ConsoleService());
    }

    private static List<String> modelNames(Parts parts, BotChat bots) {
        List<String> names = new ArrayList<>();
        for (ModelEntry e : parts.store().list()) {
            names.add(e.name());
        }
        names.addAll(bots.modelNames());
        return names;
    }

    private static Map<String, String> readiness(Parts parts) {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("engine", "UP");
        // Ready once the bots' knowledge bases are: before, a bot would find nothing in a base still importing.
        java.util.Set<String> used = new java.util.TreeSet<>();
        parts.bots().bots().values().forEach(b -> used.addAll(b.config().knowledge()));
        List<String> importing = Wiring.importing(parts.knowledge(), used);
        checks.put("knowledge", importing.isEmpty() ? "UP" : "importing: " + String.join(", ", importing));
        return checks;
    }

    /** Each platform link's health and the bots that could not start: shown, but not failing readiness. */
    private static Map<String, Object> details(Parts parts) {
        Map<String, String> links = new LinkedHashMap<>();
        for (Map.Entry<String, ChannelAdapter> e : parts.bots().adapters().entrySet()) {
            var h = e.getValue().health();
            links.put(e.getKey(), h.healthy() ? "UP" : h.lastError().orElse("DOWN"));
        }
        return Map.of("bots", links, "config_problems", parts.bots().problems());
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
        parts.dispatcher().close();
        parts.workers().close();
        // Before the adapters: the resume timer sends through them; review intake embeds with the embedder.
        parts.handoffs().close();
        parts.review().close();
        // Wait for searches in progress: a query embedding inside onnxruntime while the JVM exits crashes it.
        parts.retrieval().shutdown();
        try {
            parts.retrieval().awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        parts.bots().adapters().values().forEach(a -> {
            try {
                a.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "closing adapter: " + e.getMessage());
            }
        });
        parts.engine().close();
        parts.knowledge().close();
        parts.log().close();
    }
}

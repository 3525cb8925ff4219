package dev.botgate.gateway;

import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.RoutingEngine;
import dev.botgate.backend.store.ModelEntry;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.gateway.accounts.AccountsService;
import dev.botgate.gateway.accounts.SessionAuthentication;
import dev.botgate.gateway.handoff.Handoffs;
import dev.botgate.gateway.http.AdminService;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.BodyLimit;
import dev.botgate.gateway.http.BlobService;
import dev.botgate.gateway.http.BotChat;
import dev.botgate.gateway.http.CompletionsService;
import dev.botgate.gateway.http.ConsoleService;
import dev.botgate.gateway.http.CrossSiteGuard;
import dev.botgate.gateway.http.EnginesService;
import dev.botgate.gateway.http.HandoffService;
import dev.botgate.gateway.http.HeadRequests;
import dev.botgate.gateway.http.HealthService;
import dev.botgate.gateway.http.HooksService;
import dev.botgate.gateway.http.HttpErrors;
import dev.botgate.gateway.http.JsonBodies;
import dev.botgate.gateway.http.KfHandoffService;
import dev.botgate.gateway.http.KnowledgeService;
import dev.botgate.gateway.http.ModelRoutes;
import dev.botgate.gateway.http.OllamaService;
import dev.botgate.gateway.http.OpenAiService;
import dev.botgate.gateway.http.ResponsesService;
import dev.botgate.gateway.http.ReviewService;
import dev.botgate.gateway.http.RouteTable;
import dev.botgate.gateway.http.VersionService;
import dev.botgate.gateway.pipeline.BotAnswerer;
import dev.botgate.gateway.pipeline.ConversationWorkers;
import dev.botgate.gateway.pipeline.FeedCursors;
import dev.botgate.gateway.pipeline.InboundDispatcher;
import dev.botgate.gateway.pipeline.MessageLog;
import dev.botgate.gateway.pipeline.PlatformFeeds;
import dev.botgate.gateway.review.ReviewQueue;
import dev.botgate.knowledge.index.Embedder;
import dev.botgate.knowledge.index.KnowledgeBases;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
    private final PlatformFeeds feeds;

    private Botgate(WebServer server, Parts parts, PlatformFeeds feeds) {
        this.server = server;
        this.parts = parts;
        this.feeds = feeds;
    }

    /** Everything the routes serve; {@link Wiring} builds it. */
    public record Parts(Settings settings, Engine engine, ModelStore store, KnowledgeBases knowledge,
                        Embedder embedder, BotRegistry bots, BotAnswerer answerer, InboundDispatcher dispatcher,
                        ConversationWorkers workers, MessageLog log, Metrics metrics, ApiKeyFile apiKeys,
                        Clock clock, java.util.concurrent.ExecutorService retrieval, Handoffs handoffs,
                        ReviewQueue review, dev.botgate.gateway.accounts.Accounts accounts) {
    }

    /**
     * Starts the server.
     *
     * @throws ConfigException when the configuration would expose the API without keys, or the port is taken
     */
    public static Botgate start(Parts parts) {
        Settings.Server s = parts.settings().server();
        WebServer server;
        try {
            if (!s.loopbackOnly() && !s.allowUnauthenticated() && parts.apiKeys().hashes().isEmpty()) {
                throw new ConfigException("server.host is " + s.host() + " (reachable from other machines) but no API "
                        + "key is configured. Create one with 'botgate keys new', or set server.allow-unauthenticated: "
                        + "true if an authenticating proxy stands in front of Botgate.");
            }
            checkListenable(s.host(), s.port());
            long maxPayload = Math.max(Math.max(s.maxBodyBytes(), s.maxHookBodyBytes()),
                    parts.settings().knowledge().maxUploadBytes());
            server = WebServer.builder()
                    .host(s.host())
                    .port(s.port())
                    .maxPayloadSize(maxPayload)
                    .routing(r -> routing(r, parts))
                    .build()
                    .start();
            if (!server.isRunning() || server.port() < 0) {
                // Helidon 4.5 logs a failed bind and carries on with port -1: fail the start instead.
                server.stop();
                throw new ConfigException(portInUse(s.port()));
            }
        } catch (RuntimeException e) {
            closeParts(parts);
            throw e;
        }
        String publicUrl = s.publicUrl();
        String local = "http://" + (s.host().equals("0.0.0.0") ? "127.0.0.1" : s.host()) + ":" + server.port();
        parts.handoffs().consoleBase(() -> publicUrl.isEmpty() ? local : publicUrl);
        parts.dispatcher().recover();
        PlatformFeeds feeds = PlatformFeeds.start(parts.bots().adapters(), parts.dispatcher(), parts.log(),
                new FeedCursors(parts.settings().paths().home().resolve("messages.db"), parts.clock()));
        LOG.log(Level.INFO, "Botgate " + Version.current() + " listening on http://" + s.host() + ":" + server.port());
        return new Botgate(server, parts, feeds);
    }

    /**
     * Fails when {@code host:port} cannot be bound, before anything is loaded or started (port 0 always works).
     *
     * @throws ConfigException with one line that says what to do
     */
    public static void checkListenable(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);    // as the server binds: a socket in TIME_WAIT does not count as in use
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            throw new ConfigException(why.contains("in use") ? portInUse(port)
                    : "cannot listen on " + host + ":" + port + ": " + why + " (check server.host / --host)");
        } catch (IOException e) {
            throw new ConfigException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    private static String portInUse(int port) {
        return "port " + port + " is in use: another Botgate or program listens there; use --port N";
    }

    /** Registers every route; the seam tests and {@link #start} share. */
    static void routing(HttpRouting.Builder routing, Parts parts) {
        RouteTable routes = new RouteTable();
        HttpErrors.register(routing, routes);
        Settings.Server s = parts.settings().server();
        // Order matters: HEAD becomes GET first; bodies are counted before anything may refuse and leave one unread;
        // cross-site refusals and preflights come before keys (a preflight carries none).
        routing.addFilter(new HeadRequests());
        routing.addFilter(new BodyLimit(s.maxBodyBytes(), parts.settings().knowledge().maxUploadBytes(),
                s.maxHookBodyBytes()));
        routing.addFilter(new CrossSiteGuard(s.loopbackOnly(), s.host(), s.allowedHosts(), s.allowedOrigins()));
        // With no key configured on a loopback address the filter lets everything through (the local default); with
        // allow-unauthenticated, too. It always runs, so that handlers can ask who is calling (ApiKeys.access).
        // A console session cookie counts like a key of its user's role (and carries a CSRF token); keys users made
        // for themselves join the file's keys.
        routing.addFilter(new SessionAuthentication(parts.accounts()));
        routing.addFilter(new ApiKeys(() -> allKeys(parts), s.loopbackOnly(), s.allowUnauthenticated()));
        routing.addFilter(new JsonBodies());
        BotChat botChat = new BotChat(parts.bots().bots(), parts.answerer(), java.util.Optional.of(parts.log()));
        routing.register("/api", routes.record("/api", new VersionService(Version.current())))
               .register("/api", routes.record("/api", new OllamaService(parts.engine(), parts.metrics())))
               .register("/api", routes.record("/api", new BlobService(parts.store())))
               .register("/api", routes.record("/api", new ModelRoutes(parts.store(), parts.engine(),
                       parts.embedder())))
               .register("/v1", routes.record("/v1", new OpenAiService(parts.engine(), parts.metrics(),
                       () -> modelNames(parts, botChat), parts.embedder(), botChat,
                       name -> ownedBy(parts, name))))
               .register("/v1", routes.record("/v1", new CompletionsService(parts.engine(), parts.metrics())))
               .register("/v1", routes.record("/v1", new ResponsesService(parts.engine(), parts.metrics())))
               .register("/admin", routes.record("/admin", new EnginesService(parts.engine())))
               .register("/admin/kb", routes.record("/admin/kb", new KnowledgeService(parts.knowledge(),
                       parts.settings().knowledge().maxUploadBytes(), List.of(parts.settings().paths().home(),
                               parts.settings().paths().models()), parts.settings().knowledge().importRoots())))
               .register("/admin/conversations", routes.record("/admin/conversations",
                       new HandoffService(parts.handoffs(), parts.review(), parts.log())))
               .register("/admin/review", routes.record("/admin/review", new ReviewService(parts.review())))
               .register("/admin", routes.record("/admin", new AccountsService(parts.accounts())))
               .register("/admin", routes.record("/admin", new AdminService(parts.bots(), parts.answerer(),
                       parts.log(), () -> baseNames(parts), parts.clock())))
               .register("/admin/kf", routes.record("/admin/kf", new KfHandoffService(parts.bots().adapters())))
               .register("/hooks", routes.record("/hooks", new HooksService(parts.bots().adapters(),
                       parts.dispatcher(), parts.metrics(), parts.clock())))
               .register(routes.record(new HealthService(parts.metrics(), () -> readiness(parts),
                       () -> details(parts))))
               .register("/", routes.record("/", new ConsoleService()));
    }

    private static java.util.Set<String> baseNames(Parts parts) {
        java.util.Set<String> names = new java.util.HashSet<>();
        parts.knowledge().list().forEach(b -> names.add(b.name()));
        return names;
    }

    private static List<ApiKeys.Key> allKeys(Parts parts) {
        List<ApiKeys.Key> users = parts.accounts().apiKeys();
        if (users.isEmpty()) {
            return parts.apiKeys().keys();
        }
        List<ApiKeys.Key> all = new ArrayList<>(parts.apiKeys().keys());
        all.addAll(users);
        return all;
    }

    private static List<String> modelNames(Parts parts, BotChat bots) {
        List<String> names = new ArrayList<>();
        for (ModelEntry e : parts.store().list()) {
            names.add(e.name());
        }
        RoutingEngine.of(parts.engine()).ifPresent(r -> r.remoteModels().forEach(m -> names.add(m.name())));
        names.addAll(bots.modelNames());
        return names;
    }

    /** {@code owned_by} on /v1/models: bots are Botgate's, a remote model its engine's, the rest the library's. */
    private static String ownedBy(Parts parts, String name) {
        if (name.startsWith("bot/")) {
            return "botgate";
        }
        return RoutingEngine.of(parts.engine()).flatMap(r -> r.remoteModel(name)).map(m -> m.engine())
                .orElse("library");
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
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bots", links);
        out.put("config_problems", parts.bots().problems());
        RoutingEngine.of(parts.engine()).filter(r -> !r.engines().isEmpty())
                .ifPresent(r -> out.put("engines", EnginesService.summary(r.engines())));
        return out;
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
        feeds.close();      // no new pulls from the platforms while the pipeline shuts down
        closeParts(parts);
    }

    private static void closeParts(Parts parts) {
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
        parts.accounts().close();
    }
}

package dev.botgate.gateway;

import dev.botgate.backend.engine.remote.RemoteEngineConfig;
import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The settings the application is wired from, read once from {@link Config} (STYLE R5). Bots are kept as their
 * config node and read by the bot registry, which reports each bot's errors separately; remote engines
 * ({@code engines:}) are read by {@link EngineConfigs}.
 */
public record Settings(Server server, Paths paths, EngineSettings engine, KnowledgeSettings knowledge,
                       ConversationSettings conversation, Config bots, ModelSettings models,
                       List<RemoteEngineConfig> engines) {

    /**
     * HTTP listener and access.
     *
     * @param maxHookBodyBytes largest platform callback body ({@code /hooks/*})
     * @param allowedHosts     extra names accepted in the {@code Host} header (see config/application.yaml)
     * @param allowedOrigins   extra browser origins allowed cross-origin, exact or with {@code *} wildcards
     * @param publicUrl        how people reach this server (links in handoff notifications); empty = the local URL
     */
    public record Server(String host, int port, long maxBodyBytes, List<String> apiKeyHashes,
                         boolean allowUnauthenticated, long maxHookBodyBytes, List<String> allowedHosts,
                         List<String> allowedOrigins, String publicUrl) {
        /** Whether the address only accepts connections from this machine. */
        public boolean loopbackOnly() {
            return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
        }
    }

    /** Data directory and model store. */
    public record Paths(Path home, Path models) {
    }

    /** llama.cpp engine settings (see config/application.yaml for each). */
    public record EngineSettings(int threads, int contextSize, int parallelSlots, int queueCapacity,
                                 int maxLoadedModels, String contextOverflow, int numPredict, boolean nativeLog,
                                 int maxTurns) {
    }

    /**
     * Knowledge-base settings.
     *
     * @param importRoots folders whose files a server-path import may read while API keys are on (empty: none)
     */
    public record KnowledgeSettings(int chunkTarget, int chunkOverlap, long maxFileBytes, long maxUploadBytes,
                                    int embedThreads, List<Path> importRoots) {
    }

    /** Conversation context settings. */
    public record ConversationSettings(Duration idleExpiry, int maxTurns, int historyTokens, int answersInMemory) {
    }

    /**
     * Model store settings: where pulls may download from ({@code models.pull-hosts}, see
     * {@link dev.botgate.backend.store.PullPolicy}) and how long the trial load of a new model may take.
     */
    public record ModelSettings(List<String> pullHosts, Duration probeTimeout) {
    }

    /** These settings with the listener moved (command-line {@code --host} / {@code --port}). */
    public Settings withListener(String host, int port) {
        return new Settings(new Server(host, port, server.maxBodyBytes(), server.apiKeyHashes(),
                server.allowUnauthenticated(), server.maxHookBodyBytes(), server.allowedHosts(),
                server.allowedOrigins(), server.publicUrl()), paths, engine, knowledge, conversation, bots, models,
                engines);
    }

    /** These settings with another data directory (and its model store unless BOTGATE_MODELS moved that). */
    public Settings withHome(Path home, Path models) {
        return new Settings(server, new Paths(home, models), engine, knowledge, conversation, bots, this.models,
                engines);
    }

    /** Reads and validates everything; an invalid value is reported with its key. */
    public static Settings from(Config config, Map<String, String> env) {
        Config s = config.get("server");
        Server server = new Server(
                str(s, "host"), intIn(s, "port", 0, 65535), longIn(s, "max-body-bytes", 1024, Long.MAX_VALUE),
                s.get("api-keys").asList(String.class).orElse(List.of()),
                s.get("allow-unauthenticated").asBoolean().orElse(false),
                longIn(s, "max-hook-body-bytes", 1024, Long.MAX_VALUE), strings(s, "allowed-hosts"),
                strings(s, "allowed-origins"), str(s, "public-url").strip());
        if (!server.publicUrl().isEmpty() && !server.publicUrl().matches("https?://\\S+")) {
            throw new ConfigException("server.public-url: must be an http(s) URL such as https://botgate.example.com, "
                    + "got '" + server.publicUrl() + "'");
        }
        for (String hash : server.apiKeyHashes()) {
            if (dev.botgate.gateway.http.ApiKeys.Key.parse(hash).isEmpty()) {
                throw new ConfigException("server.api-keys: each entry must be [use:|admin:]sha256:<64 hex digits> "
                        + "(the hash, never the key itself; no scope means admin); create one with: botgate keys new");
            }
        }
        Config p = config.get("paths");
        String homeText = str(p, "home");
        Path home = !homeText.isEmpty() ? Path.of(homeText)
                : env.containsKey("BOTGATE_HOME") ? Path.of(env.get("BOTGATE_HOME"))
                : Path.of(System.getProperty("user.home"), ".botgate");
        String modelsText = str(p, "models");
        Path models = !modelsText.isEmpty() ? Path.of(modelsText)
                : env.containsKey("BOTGATE_MODELS") ? Path.of(env.get("BOTGATE_MODELS"))
                : home.resolve("models");
        Config e = config.get("engine");
        String overflow = str(e, "context-overflow");
        if (!overflow.equals("drop-oldest") && !overflow.equals("error")) {
            throw new ConfigException("engine.context-overflow: must be drop-oldest or error, got '" + overflow + "'");
        }
        EngineSettings engine = new EngineSettings(intIn(e, "threads", 0, 1024), intIn(e, "context-size", 256, 1 << 20),
                intIn(e, "parallel-slots", 1, 64), intIn(e, "queue-capacity", 0, 10_000),
                intIn(e, "max-loaded-models", 1, 16), overflow, intIn(e, "num-predict", -1, 1 << 20),
                e.get("native-log").asBoolean().orElse(false), intIn(e, "max-turns", 1, 1_000_000));
        if (engine.numPredict() == 0) {
            throw new ConfigException("engine.num-predict: must be positive, or -1 for no limit, got 0");
        }
        Config k = config.get("knowledge");
        KnowledgeSettings knowledge = new KnowledgeSettings(intIn(k, "chunk-target", 50, 2000),
                intIn(k, "chunk-overlap", 0, 1000), longIn(k, "max-file-bytes", 1, Long.MAX_VALUE),
                longIn(k, "max-upload-bytes", 1, Long.MAX_VALUE), intIn(k, "embed-threads", 1, 64),
                importRoots(k));
        Config c = config.get("conversation");
        ConversationSettings conversation = new ConversationSettings(duration(c, "idle-expiry"),
                intIn(c, "max-turns", 0, 1000), intIn(c, "history-tokens", 0, 1 << 20),
                intIn(c, "answers-in-memory", 1, 1_000_000));
        Config bots = config.get("bots").exists() ? config.get("bots")
                : Config.just(DEMO_BOT, io.helidon.common.media.type.MediaTypes.APPLICATION_X_YAML).get("bots");
        return new Settings(server, new Paths(home, models), engine, knowledge, conversation, bots,
                modelSettings(config.get("models")), EngineConfigs.read(config.get("engines"), env));
    }

    private static ModelSettings modelSettings(Config m) {
        List<String> hosts = m.get("pull-hosts").asList(String.class)
                .orElse(dev.botgate.backend.store.PullPolicy.DEFAULT_HOSTS);
        try {
            new dev.botgate.backend.store.PullPolicy(hosts);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Duration probe = m.get("probe-timeout").exists() ? duration(m, "probe-timeout") : Duration.ofMinutes(2);
        if (probe.isNegative() || probe.isZero()) {
            throw new ConfigException("models.probe-timeout: must be positive, got " + probe);
        }
        return new ModelSettings(hosts, probe);
    }

    /** The bot started when no {@code bots:} list is configured (documented in config/application.yaml). */
    static final String DEMO_BOT = """
            bots:
              - id: demo
                channel: local
                knowledge: [demo]
                welcome: "您好，我是青禾家居的客服助手，有什么可以帮您？ Hello, how can I help?"
                fallback: "抱歉，这个问题我还不知道。您可以换个说法，或问我退换货、配送、发票、保修等问题。 Sorry, I don't know that yet; try other words, or ask me about returns, delivery, invoices or warranty."
            """;

    private static List<Path> importRoots(Config k) {
        List<Path> roots = new java.util.ArrayList<>();
        for (String r : k.get("import-roots").asList(String.class).orElse(List.of())) {
            Path p = Path.of(r.strip());
            if (!p.isAbsolute()) {
                throw new ConfigException("knowledge.import-roots: each entry must be an absolute folder path, got '"
                        + r + "'");
            }
            roots.add(p.normalize());
        }
        return List.copyOf(roots);
    }

    private static String str(Config node, String key) {
        return node.get(key).asString().orElse("");
    }

    /** A list key, also accepted as one comma-separated string (how an environment variable sets it). */
    private static List<String> strings(Config node, String key) {
        List<String> list;
        try {
            list = node.get(key).asList(String.class).orElse(List.of());
        } catch (RuntimeException notAList) {
            list = List.of();
        }
        if (list.isEmpty()) {
            list = List.of(node.get(key).asString().orElse("").split(","));
        }
        return list.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static int intIn(Config node, String key, int min, int max) {
        return (int) longIn(node, key, min, max);
    }

    private static long longIn(Config node, String key, long min, long max) {
        String full = node.key() + "." + key;
        String text = node.get(key).asString()
                .orElseThrow(() -> new ConfigException(full + ": missing"));
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException ex) {
            throw new ConfigException(full + ": must be a whole number, got '" + text + "'");
        }
        if (v < min || v > max) {
            throw new ConfigException(full + ": must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private static Duration duration(Config node, String key) {
        String full = node.key() + "." + key;
        String text = node.get(key).asString().orElseThrow(() -> new ConfigException(full + ": missing"));
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException ex) {
            throw new ConfigException(full + ": must be an ISO-8601 duration such as PT30M, got '" + text + "'");
        }
    }
}

package dev.botgate.gateway;

import dev.botgate.backend.engine.remote.RemoteEngineConfig;
import io.helidon.config.Config;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code engines:} list into {@link RemoteEngineConfig}s, the one place that YAML becomes engine settings
 * (STYLE R4). Every problem is a {@link ConfigException} naming the key: {@code engines[1] (gpu).base-url: ...}.
 *
 * <pre>
 * engines:
 *   - name: gpu
 *     type: openai                    # or ollama
 *     base-url: http://gpu1:8000/v1   # or a list: a pool of identical servers
 *     api-key: ${GPU_KEY}
 *     connect-timeout: 3s
 *     first-token-timeout: 60s
 *     read-timeout: 60s
 *     health-interval: 5s
 *     models: [qwen3:32b, {name: coder, remote: Qwen/Qwen3-Coder-30B-A3B-Instruct}]   # or: auto
 * </pre>
 */
final class EngineConfigs {
    private static final List<String> KEYS = List.of("name", "type", "base-url", "api-key", "connect-timeout",
            "first-token-timeout", "read-timeout", "health-interval", "models");

    private EngineConfigs() {
    }

    static List<RemoteEngineConfig> read(Config engines, Map<String, String> env) {
        if (!engines.exists()) {
            return List.of();
        }
        List<Config> nodes = engines.asNodeList().orElseThrow(() -> new ConfigException(
                "engines: must be a list of engines (name, type, base-url, models)"));
        List<RemoteEngineConfig> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(one(nodes.get(i), "engines[" + i + "]", env));
        }
        try {
            RemoteEngineConfig.checkDistinct(out);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return List.copyOf(out);
    }

    private static RemoteEngineConfig one(Config n, String at, Map<String, String> env) {
        if (n.isLeaf()) {
            throw new ConfigException(at + ": must be an object with name, type, base-url and models");
        }
        Optional<String> name = n.get("name").asString().asOptional();
        String label = name.map(s -> at + " (" + s + ")").orElse(at);
        n.asNodeList().orElse(List.of()).forEach(child -> {
            String key = child.name();
            if (!KEYS.contains(key)) {
                throw new ConfigException(label + "." + key + ": unknown key; known keys are " + KEYS);
            }
        });
        try {
            RemoteEngineConfig.Builder b = RemoteEngineConfig.builder(at).name(name.orElse(null));
            b.type(n.get("type").asString().orElse(null));
            Config urls = n.get("base-url");
            if (urls.isLeaf()) {
                b.baseUrl(urls.asString().orElse(null));
            } else if (urls.exists()) {
                for (String u : urls.asList(String.class).orElse(List.of())) {
                    b.baseUrl(u);
                }
            }
            Optional<String> key = n.get("api-key").asString().asOptional();
            if (key.isPresent()) {
                b.apiKey(ConfigFiles.resolve(label + ".api-key", key.get(), env));
            }
            duration(n, "connect-timeout", label).ifPresent(b::connectTimeout);
            duration(n, "first-token-timeout", label).ifPresent(b::firstTokenTimeout);
            duration(n, "read-timeout", label).ifPresent(b::readTimeout);
            duration(n, "health-interval", label).ifPresent(b::healthInterval);
            Config models = n.get("models");
            if (models.isLeaf()) {
                String v = models.asString().orElse("");
                if (!v.equals("auto")) {
                    throw new ConfigException(label + ".models: must be a list or 'auto', got '" + v + "'");
                }
                b.autoModels();
            } else if (models.exists()) {
                List<Config> entries = models.asNodeList().orElse(List.of());
                for (int i = 0; i < entries.size(); i++) {
                    Config m = entries.get(i);
                    if (m.isLeaf()) {
                        b.model(m.asString().orElse(""));
                    } else {
                        String local = m.get("name").asString().orElseThrow(() -> new ConfigException(
                                label + ".models[" + (m.name()) + "].name: missing"));
                        b.model(local, m.get("remote").asString().orElse(local));
                    }
                }
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** ISO-8601 ({@code PT30S}) or a number with ms, s or m ({@code 500ms}, {@code 30s}, {@code 2m}). */
    private static Optional<Duration> duration(Config n, String key, String label) {
        Optional<String> text = n.get(key).asString().asOptional();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String t = text.get().trim();
        try {
            if (t.matches("\\d+ms")) {
                return Optional.of(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
            }
            if (t.matches("\\d+s")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))));
            }
            if (t.matches("\\d+m")) {
                return Optional.of(Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))));
            }
            return Optional.of(Duration.parse(t));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ConfigException(label + "." + key + ": must be a duration such as 30s, 500ms or PT30S, got '"
                    + t + "'");
        }
    }
}

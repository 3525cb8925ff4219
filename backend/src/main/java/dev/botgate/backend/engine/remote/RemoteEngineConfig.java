package dev.botgate.backend.engine.remote;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of the {@code engines:} list: a remote inference server (or a pool of identical ones) and the models it
 * serves under Botgate's names. Built with {@link #builder}, which checks each value as it is set and names the
 * configuration key in its message ({@code engines[1].base-url: ...}).
 *
 * @param name              the engine's name, shown in model lists, errors and metrics
 * @param type              the wire protocol the servers speak
 * @param servers           base URLs, one per server of the pool ({@code http://gpu:8000/v1} for OpenAI-compatible
 *                          servers, {@code http://gpu:11434} for Ollama)
 * @param apiKey            sent as {@code Authorization: Bearer}; never logged ({@link #toString} hides it)
 * @param connectTimeout    longest wait to open a connection
 * @param firstTokenTimeout longest wait from sending a request to its first token (or end), queueing and prompt
 *                          processing upstream included
 * @param readTimeout       longest silence between two pieces of a stream once it started
 * @param healthInterval    how often each server is checked; a server taken out comes back after its first good check
 * @param models            models served under Botgate's names; empty with {@code autoModels}
 * @param autoModels        {@code models: auto}: serve every model the servers list, under the names they use
 */
public record RemoteEngineConfig(String name, Type type, List<URI> servers, Optional<String> apiKey,
                                 Duration connectTimeout, Duration firstTokenTimeout, Duration readTimeout,
                                 Duration healthInterval, List<Model> models, boolean autoModels) {

    /** The wire protocol. */
    public enum Type {
        /** OpenAI's {@code /chat/completions} with SSE streaming: vLLM, SGLang, llama.cpp server, LM Studio, clouds. */
        OPENAI,
        /** Ollama's native {@code /api/chat} with NDJSON streaming. */
        OLLAMA;

        /** The name used in configuration. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A model under Botgate's name ({@code name}) and the name the server knows it by ({@code remote}). */
    public record Model(String name, String remote) {
        public Model {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(remote, "remote");
        }
    }

    public RemoteEngineConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        servers = List.copyOf(servers);
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(healthInterval, "healthInterval");
        models = List.copyOf(models);
    }

    @Override
    public String toString() {
        return "RemoteEngineConfig[name=" + name + ", type=" + type.configName() + ", servers=" + servers + ", apiKey="
                + (apiKey.isPresent() ? "(set)" : "(none)") + ", connectTimeout=" + connectTimeout
                + ", firstTokenTimeout=" + firstTokenTimeout + ", readTimeout=" + readTimeout + ", healthInterval="
                + healthInterval + ", models=" + (autoModels ? "auto" : models) + "]";
    }

    /**
     * A builder.
     *
     * @param where how messages name this entry, e.g. {@code engines[0]}
     */
    public static Builder builder(String where) {
        return new Builder(where);
    }

    /** Builds a {@link RemoteEngineConfig}; each setter checks its value, {@link #build} the whole. */
    public static final class Builder {
        private final String where;
        private String name;
        private Type type;
        private final List<URI> servers = new ArrayList<>();
        private Optional<String> apiKey = Optional.empty();
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration firstTokenTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration healthInterval = Duration.ofSeconds(5);
        private final List<Model> models = new ArrayList<>();
        private boolean autoModels;

        private Builder(String where) {
            this.where = Objects.requireNonNull(where, "where");
        }

        /** Letters, digits, dot, dash, underscore: the name appears in metrics labels and URLs. */
        public Builder name(String value) {
            if (value == null || !value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw problem("name", "must be 1-64 letters, digits, '.', '-' or '_', got '" + value + "'");
            }
            this.name = value;
            return this;
        }

        /** {@code openai} or {@code ollama}. */
        public Builder type(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            this.type = switch (v) {
                case "openai" -> Type.OPENAI;
                case "ollama" -> Type.OLLAMA;
                default -> throw problem("type", "must be openai (any OpenAI-compatible server: vLLM, SGLang, "
                        + "llama.cpp server, LM Studio, a cloud API) or ollama, got '" + value + "'");
            };
            return this;
        }

        /** Adds a server of the pool: an http or https URL; a trailing slash is dropped. */
        public Builder baseUrl(String value) {
            String v = value == null ? "" : value.trim();
            while (v.endsWith("/")) {
                v = v.substring(0, v.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create(v);
            } catch (IllegalArgumentException e) {
                throw problem("base-url", "'" + value + "' is not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw problem("base-url", "must be an http:// or https:// URL with a host, got '" + value + "'");
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                throw problem("base-url", "must not have a query or fragment, got '" + value + "'");
            }
            if (servers.contains(uri)) {
                throw problem("base-url", "lists " + uri + " twice");
            }
            servers.add(uri);
            return this;
        }

        /** The key sent as a bearer token (already resolved from {@code ${ENV}}); empty means none. */
        public Builder apiKey(String value) {
            this.apiKey = value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connect-timeout", value);
            return this;
        }

        public Builder firstTokenTimeout(Duration value) {
            this.firstTokenTimeout = positive("first-token-timeout", value);
            return this;
        }

        public Builder readTimeout(Duration value) {
            this.readTimeout = positive("read-timeout", value);
            return this;
        }

        public Builder healthInterval(Duration value) {
            this.healthInterval = positive("health-interval", value);
            return this;
        }

        /** Adds a model served under the same name on both sides. */
        public Builder model(String name) {
            return model(name, name);
        }

        /** Adds a model: Botgate's name and the server's. */
        public Builder model(String name, String remote) {
            checkModelName("models", name);
            checkModelName("models[" + models.size() + "].remote", remote);
            if (models.stream().anyMatch(m -> m.name().equals(name))) {
                throw problem("models", "lists '" + name + "' twice");
            }
            models.add(new Model(name, remote));
            return this;
        }

        /** {@code models: auto}. */
        public Builder autoModels() {
            this.autoModels = true;
            return this;
        }

        /** @throws IllegalArgumentException naming the key that is missing or wrong */
        public RemoteEngineConfig build() {
            if (name == null) {
                throw problem("name", "missing");
            }
            if (type == null) {
                throw problem("type", "missing: openai or ollama");
            }
            if (servers.isEmpty()) {
                throw problem("base-url", "missing: the server's URL (a list of URLs for a pool)");
            }
            if (autoModels && !models.isEmpty()) {
                throw problem("models", "is either 'auto' or a list, not both");
            }
            if (!autoModels && models.isEmpty()) {
                throw problem("models", "missing: list the models to serve (a name, or {name: LOCAL, remote: "
                        + "REMOTE}), or write 'models: auto'");
            }
            return new RemoteEngineConfig(name, type, servers, apiKey, connectTimeout, firstTokenTimeout, readTimeout,
                    healthInterval, models, autoModels);
        }

        private void checkModelName(String key, String value) {
            if (value == null || value.isBlank() || value.chars().anyMatch(Character::isWhitespace)
                    || value.length() > 200) {
                throw problem(key, "a model name must be 1-200 characters without spaces, got '" + value + "'");
            }
            if (key.equals("models") && value.startsWith("bot/")) {
                throw problem(key, "'" + value + "': names starting with bot/ are the bots' names on /v1");
            }
        }

        private Duration positive(String key, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw problem(key, "must be a positive duration, got " + value);
            }
            return value;
        }

        private IllegalArgumentException problem(String key, String what) {
            String label = name == null ? where : where + " (" + name + ")";
            return new IllegalArgumentException(label + "." + key + ": " + what);
        }
    }

    /**
     * Checks a whole {@code engines:} list: engine names unique, and no model name served by two engines.
     *
     * @throws IllegalArgumentException naming both entries
     */
    public static void checkDistinct(List<RemoteEngineConfig> engines) {
        Set<String> names = new HashSet<>();
        java.util.Map<String, String> owners = new java.util.HashMap<>();
        for (RemoteEngineConfig e : engines) {
            if (!names.add(e.name())) {
                throw new IllegalArgumentException("engines: two engines are named '" + e.name() + "'");
            }
            for (Model m : e.models()) {
                String other = owners.putIfAbsent(m.name(), e.name());
                if (other != null) {
                    throw new IllegalArgumentException("engines: model '" + m.name() + "' is served by both engine '"
                            + other + "' and engine '" + e.name() + "'; give one of them another name with "
                            + "{name: LOCAL, remote: " + m.remote() + "}");
                }
            }
        }
    }
}

package dev.botgate.backend.engine.remote;

import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.EngineUnavailableException;
import dev.botgate.backend.engine.Generation;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.InvalidRequestException;
import dev.botgate.backend.engine.LoadedModel;
import dev.botgate.backend.engine.ModelNotFoundException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One configured remote engine: a server, or a pool of identical servers, speaking the OpenAI-compatible or Ollama
 * protocol, serving models under Botgate's names.
 *
 * <p><b>Admission.</b> {@link #submit} picks the server with the fewest requests in flight among those up (ties
 * taken in turn), sends the request and returns once the first token (or the end) arrived; the tokens after it reach
 * the listener as they arrive. A server that fails before the stream began (cannot connect, 5xx, 429, no first token
 * within {@code first-token-timeout}, a broken stream) is left for the next one; when none is left the caller gets an
 * {@link EngineUnavailableException} naming the engine and each server's cause. A 4xx refusal of the request itself is
 * not retried. Once a stream began, a failure ends it with {@link GenerationEvent.Failed}.
 *
 * <p><b>Health.</b> Each server has a circuit breaker ({@link RemoteServer}): out after a connection failure or three
 * failures in a row, back after a passing health check ({@code GET /models} or {@code /api/tags} every
 * {@code health-interval}; any answer below 500 passes). The same check refreshes the model list of
 * {@code models: auto}. One platform thread times the checks and watches every stream for its timeouts.
 */
public final class RemoteEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(RemoteEngine.class.getName());
    /** How often running streams are checked against their timeouts. */
    private static final long WATCH_MILLIS = 50;

    private final RemoteEngineConfig config;
    private final WireProtocol protocol;
    private final HttpClient http;
    private final List<RemoteServer> servers;
    private final RemoteOutcome.Observer observer;
    private final Set<RemoteStream> active = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final AtomicInteger turn = new AtomicInteger();
    /** Botgate's name → the server's name. */
    private volatile Map<String, String> models;
    private volatile boolean closed;

    /** Starts the engine's health checks at once (the first one runs immediately). */
    public RemoteEngine(RemoteEngineConfig config, RemoteOutcome.Observer observer) {
        this.config = Objects.requireNonNull(config, "config");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.protocol = config.type() == RemoteEngineConfig.Type.OPENAI ? new OpenAiProtocol() : new OllamaProtocol();
        // HTTP/1.1: every local model server speaks it, and closing a response's stream closes its connection,
        // which is how a cancellation reaches the server.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout()).build();
        this.servers = config.servers().stream().map(RemoteServer::new).toList();
        Map<String, String> m = new LinkedHashMap<>();
        config.models().forEach(x -> m.put(x.name(), x.remote()));
        this.models = java.util.Collections.unmodifiableMap(m);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("botgate-engine-" + config.name() + "-timer").unstarted(r));
        timer.scheduleWithFixedDelay(this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::checkHealth, 0, config.healthInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The engine's configured name. */
    public String name() {
        return config.name();
    }

    public RemoteEngineConfig config() {
        return config;
    }

    /**
     * The server's name for one of Botgate's names, if this engine serves it. {@code name} and {@code name:latest}
     * are the same model, as in the local store.
     */
    public Optional<String> remoteName(String model) {
        Map<String, String> m = models;
        String r = m.get(model);
        if (r == null && model.endsWith(":latest")) {
            r = m.get(model.substring(0, model.length() - ":latest".length()));
        }
        if (r == null && !model.contains(":")) {
            r = m.get(model + ":latest");
        }
        return Optional.ofNullable(r);
    }

    /** The models served now, Botgate's names. */
    public List<RemoteModel> models() {
        List<RemoteModel> out = new ArrayList<>();
        models.forEach((name, remote) -> out.add(new RemoteModel(name, config.name(), config.type().configName(),
                remote, servers.getFirst().base.toString())));
        return out;
    }

    /** Each server's state. */
    public EngineStatus status() {
        return new EngineStatus(config.name(), config.type().configName(), List.copyOf(models.keySet()),
                servers.stream().map(RemoteServer::status).toList());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns when the first token or the end arrived (see the class notes); blocks the caller until then.
     *
     * @throws ModelNotFoundException       when this engine does not serve the model
     * @throws EngineUnavailableException   when no server could start the answer
     * @throws InvalidRequestException      when the server refused the request itself (HTTP 400, 422)
     */
    @Override
    public Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new EngineException("engine '" + name() + "' is shut down");
        }
        String remote = remoteName(request.model()).orElseThrow(() -> new ModelNotFoundException(request.model()));
        byte[] body = protocol.body(remote, request);
        String path = protocol.path(request.prompt());
        Set<RemoteServer> tried = new HashSet<>();
        List<String> causes = new ArrayList<>();
        List<RemoteOutcome.Kind> kinds = new ArrayList<>();
        for (RemoteServer server = pick(tried); server != null; server = pick(tried)) {
            tried.add(server);
            RemoteStream stream = new RemoteStream(this, server, request.model(), protocol, listener);
            server.inFlight.incrementAndGet();
            server.requests.increment();
            active.add(stream);
            stream.start(http, httpRequest(server, path, body));
            try {
                stream.awaitStart();
                return stream;
            } catch (RemoteStream.AttemptFailure f) {
                server.failed(f.kind, f.getMessage(), Instant.now());
                LOG.log(System.Logger.Level.WARNING, "engine " + name() + ": " + server.base + " failed for model "
                        + request.model() + ": " + f.getMessage());
                if (f.kind == RemoteOutcome.Kind.CANCELLED) {
                    throw new EngineException("engine '" + name() + "': request cancelled before it started");
                }
                if (!f.kind.retryable()) {
                    throw refused(server, remote, f);
                }
                causes.add(server.base + ": " + f.getMessage());
                kinds.add(f.kind);
            }
        }
        throw unavailable(request.model(), tried, causes, kinds);
    }

    /** Why no server answered: none up, or each one's cause. */
    private EngineUnavailableException unavailable(String model, Set<RemoteServer> tried, List<String> causes,
                                                   List<RemoteOutcome.Kind> kinds) {
        if (tried.isEmpty()) {
            observer.finished(new RemoteOutcome(name(), model, servers.getFirst().base, RemoteOutcome.Kind.DOWN, 0,
                    0, 0));
            return new EngineUnavailableException(EngineUnavailableException.Reason.DOWN, "engine '" + name()
                    + "' has no server up: " + downCauses() + "; each is checked again every "
                    + seconds(config.healthInterval()), config.healthInterval());
        }
        EngineUnavailableException.Reason reason = kinds.stream().allMatch(k -> k == RemoteOutcome.Kind.TIMEOUT)
                ? EngineUnavailableException.Reason.TIMEOUT
                : kinds.stream().allMatch(k -> k == RemoteOutcome.Kind.OVERLOADED)
                ? EngineUnavailableException.Reason.OVERLOADED : EngineUnavailableException.Reason.FAILED;
        return new EngineUnavailableException(reason, "engine '" + name() + "' could not answer with model '"
                + model + "': " + String.join("; ", causes), config.healthInterval());
    }

    /**
     * Embeds texts with one of this engine's models ({@code /embeddings} or {@code /api/embed}), on the least busy
     * server that is up, moving to the next one when a server fails, as {@link #submit} does.
     *
     * @return one vector per text, in order
     * @throws ModelNotFoundException     when this engine does not serve the model
     * @throws EngineUnavailableException when no server could answer
     * @throws InvalidRequestException    when the server refused the request itself
     */
    public float[][] embed(String model, List<String> texts) {
        if (closed) {
            throw new EngineException("engine '" + name() + "' is shut down");
        }
        String remote = remoteName(model).orElseThrow(() -> new ModelNotFoundException(model));
        byte[] body = protocol.embedBody(remote, texts);
        Set<RemoteServer> tried = new HashSet<>();
        List<String> causes = new ArrayList<>();
        List<RemoteOutcome.Kind> kinds = new ArrayList<>();
        for (RemoteServer server = pick(tried); server != null; server = pick(tried)) {
            tried.add(server);
            server.inFlight.incrementAndGet();
            server.requests.increment();
            long t0 = System.nanoTime();
            RemoteOutcome.Kind kind;
            String message;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + protocol.embedPath()))
                        .header("Content-Type", "application/json").timeout(config.firstTokenTimeout())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                config.apiKey().ifPresent(k -> b.header("Authorization", "Bearer " + k));
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    float[][] vectors = protocol.embeddings(r.body(), texts.size());
                    long nanos = System.nanoTime() - t0;
                    server.streamed(nanos);
                    observer.finished(new RemoteOutcome(name(), model, server.base, RemoteOutcome.Kind.OK, nanos, 0,
                            0));
                    return vectors;
                }
                kind = RemoteStream.kindOf(r.statusCode());
                message = "HTTP " + r.statusCode() + ": " + protocol.errorMessage(r.body());
            } catch (java.net.http.HttpTimeoutException e) {
                kind = e instanceof java.net.http.HttpConnectTimeoutException ? RemoteOutcome.Kind.CONNECT
                        : RemoteOutcome.Kind.TIMEOUT;
                message = e instanceof java.net.http.HttpConnectTimeoutException ? "connect timed out"
                        : "no answer within " + seconds(config.firstTokenTimeout()) + " (first-token-timeout)";
            } catch (java.net.ConnectException e) {
                kind = RemoteOutcome.Kind.CONNECT;
                message = "cannot connect";
            } catch (java.io.IOException | IllegalArgumentException e) {
                kind = RemoteOutcome.Kind.BROKEN;
                message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while waiting for engine '" + name() + "'");
            } finally {
                server.inFlight.decrementAndGet();
            }
            server.failed(kind, message, Instant.now());
            observer.finished(new RemoteOutcome(name(), model, server.base, kind, 0, 0, 0));
            if (!kind.retryable()) {
                throw refused(server, remote, new RemoteStream.AttemptFailure(kind, message));
            }
            causes.add(server.base + ": " + message);
            kinds.add(kind);
        }
        throw unavailable(model, tried, causes, kinds);
    }

    /** Nothing of a remote engine is loaded in this process. */
    @Override
    public List<LoadedModel> loaded() {
        return List.of();
    }

    /** Stops the health checks and cancels the streams still running. */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (RemoteStream s : List.copyOf(active)) {
            s.cancel();
        }
    }

    /** A stream or an attempt ended. */
    void finished(RemoteStream stream, RemoteOutcome outcome, String error) {
        if (active.remove(stream)) {
            stream.server.inFlight.decrementAndGet();
        }
        if (stream.streaming && outcome.kind() != RemoteOutcome.Kind.OK
                && outcome.kind() != RemoteOutcome.Kind.CANCELLED) {
            stream.server.failed(outcome.kind(), error, Instant.now());
        }
        try {
            observer.finished(outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "engine " + name() + ": metrics observer failed", e);
        }
    }

    /** The least busy server that is up and not tried yet; ties go round. */
    private RemoteServer pick(Set<RemoteServer> tried) {
        int n = servers.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        RemoteServer best = null;
        for (int i = 0; i < n; i++) {
            RemoteServer s = servers.get((start + i) % n);
            if (s.up() && !tried.contains(s) && (best == null || s.inFlight.get() < best.inFlight.get())) {
                best = s;
            }
        }
        return best;
    }

    private HttpRequest httpRequest(RemoteServer server, String path, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path))
                .header("Content-Type", "application/json")
                .header("Accept", config.type() == RemoteEngineConfig.Type.OPENAI ? "text/event-stream"
                        : "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.apiKey().ifPresent(k -> b.header("Authorization", "Bearer " + k));
        return b.build();
    }

    private EngineException refused(RemoteServer server, String remote, RemoteStream.AttemptFailure f) {
        String m = f.getMessage();
        if (m.startsWith("HTTP 401") || m.startsWith("HTTP 403")) {
            return new EngineUnavailableException(EngineUnavailableException.Reason.FAILED, "engine '" + name()
                    + "' (" + server.base + ") refused Botgate's credentials (" + m + "); check the engine's api-key",
                    config.healthInterval());
        }
        if (m.startsWith("HTTP 404")) {
            return new EngineUnavailableException(EngineUnavailableException.Reason.FAILED, "engine '" + name()
                    + "' (" + server.base + ") does not serve model '" + remote + "' (" + m + "); check the engine's "
                    + "models list", config.healthInterval());
        }
        return new InvalidRequestException("engine '" + name() + "' refused the request (" + m + ")");
    }

    private String downCauses() {
        List<String> out = new ArrayList<>();
        for (RemoteServer s : servers) {
            ServerStatus st = s.status();
            out.add(s.base + " (" + (st.lastError().isEmpty() ? "down" : st.lastError())
                    + st.lastErrorAt().map(t -> ", " + Duration.between(t, Instant.now()).toSeconds() + " s ago")
                    .orElse("") + ")");
        }
        return String.join("; ", out);
    }

    /** Ends streams past their timeouts; never throws, since that would end the schedule. */
    private void watch() {
        try {
            watchOnce();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "engine " + name() + ": timeout watch failed", e);
        }
    }

    private void watchOnce() {
        long now = System.nanoTime();
        long first = config.firstTokenTimeout().toNanos();
        long read = config.readTimeout().toNanos();
        for (RemoteStream s : active) {
            if (!s.streaming && now - s.startNanos > first) {
                s.abort(new RemoteStream.AttemptFailure(RemoteOutcome.Kind.TIMEOUT, "no first token within "
                        + seconds(config.firstTokenTimeout()) + " (first-token-timeout)"));
            } else if (s.streaming && now - s.lastActivityNanos > read) {
                s.abort(new RemoteStream.AttemptFailure(RemoteOutcome.Kind.TIMEOUT, "the stream was silent for "
                        + seconds(config.readTimeout()) + " (read-timeout)"));
            }
        }
    }

    private void checkHealth() {
        if (closed) {
            return;
        }
        for (RemoteServer s : servers) {
            Thread.ofVirtual().name("botgate-engine-" + name() + "-check").start(() -> check(s));
        }
    }

    private void check(RemoteServer server) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + protocol.modelsPath())).GET()
                .timeout(config.connectTimeout().plusSeconds(5));
        config.apiKey().ifPresent(k -> b.header("Authorization", "Bearer " + k));
        long t0 = System.nanoTime();
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            long nanos = System.nanoTime() - t0;
            if (r.statusCode() >= 500) {
                server.checked(false, nanos, "HTTP " + r.statusCode(), Instant.now());
                return;
            }
            server.checked(true, nanos, "", Instant.now());
            if (config.autoModels() && r.statusCode() == 200) {
                learnModels(protocol.models(r.body()));
            }
        } catch (java.io.IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.net.ConnectException || e.getCause() instanceof java.net.ConnectException) {
                m = "cannot connect";
            }
            if (server.up()) {
                LOG.log(System.Logger.Level.WARNING, "engine " + name() + ": " + server.base + " is down: " + m);
            }
            server.checked(false, 0, m, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds what a server lists ({@code models: auto}); names only grow, so a request never loses its model. */
    private synchronized void learnModels(List<String> names) {
        Map<String, String> m = new LinkedHashMap<>(models);
        boolean changed = false;
        for (String n : names) {
            if (m.putIfAbsent(n, n) == null) {
                changed = true;
            }
        }
        if (changed) {
            models = java.util.Collections.unmodifiableMap(m);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }
}

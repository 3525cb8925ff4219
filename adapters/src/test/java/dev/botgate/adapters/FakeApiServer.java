package dev.botgate.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A local stand-in for a platform API: a real Helidon server on 127.0.0.1, port 0, that records every request and
 * answers through a handler (the platform fakes implement the real JSON shapes) unless a canned response was queued
 * for that path with {@link #enqueue}. Used by this module's tests and, through the test-jar, by the gateway's.
 */
public final class FakeApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A request as received.
     *
     * @param method  HTTP method
     * @param path    path without query
     * @param query   decoded query parameters (first value)
     * @param headers headers, case-insensitive keys
     * @param body    body as UTF-8
     */
    public record Recorded(String method, String path, Map<String, String> query, Map<String, String> headers,
                           String body) {
        /** The body as JSON (missing node if not JSON). */
        public JsonNode json() {
            try {
                return body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }
    }

    /**
     * A response to give.
     *
     * @param status  HTTP status
     * @param headers extra response headers
     * @param body    body (JSON usually)
     * @param delay   wait before answering (to provoke client timeouts)
     */
    public record Canned(int status, Map<String, String> headers, String body, Duration delay) {
        /** A JSON response. */
        public static Canned json(int status, String body) {
            return new Canned(status, Map.of(), body, Duration.ZERO);
        }

        /** A 429 with Retry-After in seconds. */
        public static Canned tooManyRequests(long retryAfterSeconds, String body) {
            return new Canned(429, Map.of("Retry-After", Long.toString(retryAfterSeconds)), body, Duration.ZERO);
        }

        /** A response that only comes after {@code delay}. */
        public Canned delayed(Duration delay) {
            return new Canned(status, headers, body, delay);
        }
    }

    private final WebServer server;
    private final List<Recorded> recorded = new ArrayList<>();
    private final Map<String, Deque<Canned>> queued = new HashMap<>();
    private final Function<Recorded, Canned> handler;

    private FakeApiServer(Function<Recorded, Canned> handler) {
        this.handler = handler;
        this.server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any(this::serve))
                .build()
                .start();
    }

    /** Starts a server that answers with {@code handler}. */
    public static FakeApiServer start(Function<Recorded, Canned> handler) {
        return new FakeApiServer(handler);
    }

    /** {@code http://127.0.0.1:PORT}, the value for a bot's {@code api-base}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Queues one-shot responses for a path, used before the handler. */
    public synchronized void enqueue(String path, Canned... responses) {
        Deque<Canned> q = queued.computeIfAbsent(path, p -> new ArrayDeque<>());
        q.addAll(List.of(responses));
    }

    /** Every request so far, in order. */
    public synchronized List<Recorded> requests() {
        return List.copyOf(recorded);
    }

    /** The requests to one path, in order. */
    public synchronized List<Recorded> requests(String path) {
        return recorded.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Forgets the recorded requests. */
    public synchronized void clear() {
        recorded.clear();
    }

    private void serve(ServerRequest req, ServerResponse res) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String name : req.query().names()) {
            query.put(name, req.query().get(name));
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : req.headers()) {
            headers.put(h.name(), h.get());
        }
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        Recorded r = new Recorded(req.prologue().method().text(), req.path().path(), Map.copyOf(query),
                java.util.Collections.unmodifiableMap(headers), body);
        Canned c;
        synchronized (this) {
            recorded.add(r);
            Deque<Canned> q = queued.get(r.path());
            c = q == null ? null : q.poll();
        }
        if (c == null) {
            c = handler.apply(r);
        }
        if (!c.delay().isZero()) {
            try {
                Thread.sleep(c.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        res.status(Status.create(c.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        c.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
        res.send(c.body().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop();
    }
}

package dev.botgate.backend.engine.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small local model server for what a real one cannot be made to do on demand: answer 429, hold back the first
 * token, break a stream. Lists one model at {@code /v1/models} and {@code /api/tags}; every other path runs the
 * current {@link Behaviour}. Records each generation request's body.
 */
final class FakeEngineServer implements AutoCloseable {
    private final HttpServer server;
    volatile Behaviour behaviour;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();

    /** Answers one generation request. */
    interface Behaviour {
        void answer(HttpExchange ex) throws IOException, InterruptedException;
    }

    FakeEngineServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String base(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.endsWith("/models")) {
                send(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\"}]}");
                return;
            }
            if (path.endsWith("/api/tags")) {
                send(ex, 200, "{\"models\":[{\"name\":\"fake-model:latest\"}]}");
                return;
            }
            paths.add(path);
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            behaviour.answer(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away: expected in cancellation tests
        }
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** Starts a streamed answer; each {@link #line} is flushed at once. */
    static OutputStream stream(HttpExchange ex, String contentType) throws IOException {
        ex.getResponseHeaders().add("Content-Type", contentType);
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    static void line(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** An OpenAI stream of the given pieces, then a finish reason, usage and [DONE]. */
    static Behaviour openAi(String... pieces) {
        return ex -> {
            OutputStream out = stream(ex, "text/event-stream");
            for (String p : pieces) {
                line(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + p + "\"}}]}");
                line(out, "");
            }
            line(out, ": keep-alive comment");
            line(out, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
            line(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" + pieces.length
                    + "}}");
            line(out, "data: [DONE]");
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.botgate.gateway.handoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-call webhooks as small local servers: a WeCom group robot ({@code /wecom}), a Feishu custom bot
 * ({@code /feishu}) and a Slack incoming webhook ({@code /slack}), each answering as the platform does.
 */
final class FakeWebhooks implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();

    /** One request a webhook got. */
    record Received(String path, String query, JsonNode body) {
    }

    FakeWebhooks() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            synchronized (received) {
                received.add(new Received(path, String.valueOf(ex.getRequestURI().getQuery()), JSON.readTree(body)));
            }
            String reply = switch (path) {
                case "/wecom" -> "{\"errcode\":0,\"errmsg\":\"ok\"}";
                case "/feishu" -> "{\"code\":0,\"msg\":\"success\",\"data\":{}}";
                default -> "ok";
            };
            byte[] out = reply.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    /** The text of every notification a webhook got, whatever its platform's body shape. */
    List<String> texts(String path) {
        return received(path).stream().map(r -> switch (path) {
            case "/wecom" -> r.body().path("text").path("content").asText();
            case "/feishu" -> r.body().path("content").path("text").asText();
            default -> r.body().path("text").asText();
        }).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}


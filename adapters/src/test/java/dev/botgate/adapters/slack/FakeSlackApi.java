package dev.botgate.adapters.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.FakeApiServer.Recorded;

import java.util.ArrayList;
import java.util.List;

/**
 * The Slack Web API as far as Botgate uses it: {@code auth.test}, {@code chat.postMessage} (returns increasing
 * {@code ts}), {@code chat.update}; every call checks the bearer token ({@code invalid_auth} otherwise). Records
 * everything; queue 429s or errors through {@link #server()}.
 */
public final class FakeSlackApi implements AutoCloseable {
    private final String botToken;
    private final String botUserId;
    private final FakeApiServer server;
    private final List<JsonNode> posted = new ArrayList<>();
    private final List<JsonNode> updated = new ArrayList<>();
    private long seq = 100;

    private FakeSlackApi(String botToken, String botUserId) {
        this.botToken = botToken;
        this.botUserId = botUserId;
        this.server = FakeApiServer.start(this::answer);
    }

    /** Starts a fake for a bot token whose bot user is {@code botUserId}. */
    public static FakeSlackApi start(String botToken, String botUserId) {
        return new FakeSlackApi(botToken, botUserId);
    }

    /** The {@code api-base} to configure. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The underlying server. */
    public FakeApiServer server() {
        return server;
    }

    /** Bodies of accepted chat.postMessage calls. */
    public synchronized List<JsonNode> posted() {
        return List.copyOf(posted);
    }

    /** Bodies of accepted chat.update calls. */
    public synchronized List<JsonNode> updated() {
        return List.copyOf(updated);
    }

    private synchronized Canned answer(Recorded r) {
        if (!("Bearer " + botToken).equals(r.headers().get("Authorization"))) {
            return Canned.json(200, "{\"ok\":false,\"error\":\"invalid_auth\"}");
        }
        switch (r.path()) {
            case "/auth.test" -> {
                return Canned.json(200, "{\"ok\":true,\"url\":\"https://acme.slack.com/\",\"team\":\"Acme\","
                        + "\"user\":\"botgate\",\"team_id\":\"T0TEAM\",\"user_id\":\"" + botUserId
                        + "\",\"bot_id\":\"B0BOT\"}");
            }
            case "/chat.postMessage" -> {
                JsonNode b = r.json();
                posted.add(b);
                String ts = "1700000000.000" + (seq++);
                return Canned.json(200, "{\"ok\":true,\"channel\":\"" + b.path("channel").asText() + "\",\"ts\":\""
                        + ts + "\",\"message\":{\"type\":\"message\",\"bot_id\":\"B0BOT\",\"ts\":\"" + ts + "\"}}");
            }
            case "/chat.update" -> {
                JsonNode b = r.json();
                updated.add(b);
                return Canned.json(200, "{\"ok\":true,\"channel\":\"" + b.path("channel").asText() + "\",\"ts\":\""
                        + b.path("ts").asText() + "\",\"text\":\"\"}");
            }
            default -> {
                return Canned.json(404, "{\"ok\":false,\"error\":\"unknown_method\"}");
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

package dev.botgate.adapters.wecomaibot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A local stand-in for WeCom's 智能机器人 long-connection server ({@code wss://openws.work.weixin.qq.com}), on a real
 * Helidon WebSocket endpoint: answers {@code aibot_subscribe} (errcode 0 for the right BotID and Secret) and
 * {@code ping}, records every frame the bot sends, pushes {@code aibot_msg_callback} frames, and can drop the
 * connection. Public for the gateway's tests.
 */
public final class FakeAiBotServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String botId;
    private final String secret;
    private final WebServer server;
    private final List<JsonNode> received = new ArrayList<>();
    private WsSession current;
    private int connections;
    private int subscriptions;
    private int pings;
    private int pushed;
    private boolean dropOnNextFinal;

    private FakeAiBotServer(String botId, String secret) {
        this.botId = botId;
        this.secret = secret;
        this.server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint("/", new Listener()))
                .build()
                .start();
    }

    /** Starts a server that accepts this BotID and Secret. */
    public static FakeAiBotServer start(String botId, String secret) {
        return new FakeAiBotServer(botId, secret);
    }

    /** {@code ws://127.0.0.1:PORT/}, the value for {@code ws-url}. */
    public String url() {
        return "ws://127.0.0.1:" + server.port() + "/";
    }

    private final class Listener implements WsListener {
        @Override
        public void onOpen(WsSession session) {
            synchronized (FakeAiBotServer.this) {
                connections++;
                current = session;
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            JsonNode f;
            try {
                f = JSON.readTree(text);
            } catch (IOException e) {
                return;
            }
            String req = f.path("headers").path("req_id").asText();
            String answer;
            synchronized (FakeAiBotServer.this) {
                received.add(f);
                switch (f.path("cmd").asText()) {
                    case "aibot_subscribe" -> {
                        boolean ok = botId.equals(f.path("body").path("bot_id").asText())
                                && secret.equals(f.path("body").path("secret").asText());
                        if (ok) {
                            subscriptions++;
                        }
                        answer = reply(req, ok ? 0 : 40058, ok ? "ok" : "invalid bot_id or secret");
                    }
                    case "ping" -> {
                        pings++;
                        answer = reply(req, 0, "ok");
                    }
                    default -> { // aibot_respond_msg
                        if (dropOnNextFinal && f.path("body").path("stream").path("finish").asBoolean()) {
                            dropOnNextFinal = false;
                            answer = null; // lost with the connection: never acknowledged
                        } else {
                            answer = reply(req, 0, "ok");
                        }
                    }
                }
                FakeAiBotServer.this.notifyAll();
            }
            if (answer == null) {
                drop();
                return;
            }
            synchronized (session) { // one writer at a time: a push from a test thread may be under way
                session.send(answer, true);
            }
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            synchronized (FakeAiBotServer.this) {
                if (current == session) {
                    current = null;
                }
            }
        }
    }

    private static String reply(String req, int code, String msg) {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("headers").put("req_id", req);
        r.put("errcode", code).put("errmsg", msg);
        return r.toString();
    }

    /** Pushes a message to the bot as {@code aibot_msg_callback}; returns the frame's req_id. */
    public String push(JsonNode message) {
        WsSession s;
        String req;
        synchronized (this) {
            s = current;
            req = "REQ" + server.port() + "-" + (++pushed);
        }
        if (s == null) {
            throw new IllegalStateException("no connection to push on");
        }
        ObjectNode f = JSON.createObjectNode();
        f.put("cmd", "aibot_msg_callback");
        f.putObject("headers").put("req_id", req);
        f.set("body", message);
        synchronized (s) {
            s.send(f.toString(), true);
        }
        return req;
    }

    /** The next final frame is lost: the connection drops instead of acknowledging it. */
    public synchronized void dropOnNextFinal() {
        dropOnNextFinal = true;
    }

    /** Drops the connection without a close handshake, as a network failure would. */
    public void drop() {
        WsSession s;
        synchronized (this) {
            s = current;
            current = null;
        }
        if (s != null) {
            try {
                s.terminate();
            } catch (RuntimeException e) {
                // Helidon ends the connection and unwinds the calling thread with CloseConnectionException: expected
            }
        }
    }

    /** Whether a connection is open and subscribed since the last drop. */
    public synchronized boolean connected() {
        return current != null;
    }

    /** Connections opened so far. */
    public synchronized int connections() {
        return connections;
    }

    /** Successful subscriptions so far. */
    public synchronized int subscriptions() {
        return subscriptions;
    }

    /** Pings received so far. */
    public synchronized int pings() {
        return pings;
    }

    /** The {@code aibot_respond_msg} frames for one pushed req_id, in order. */
    public synchronized List<JsonNode> responses(String reqId) {
        return received.stream().filter(f -> f.path("cmd").asText().equals("aibot_respond_msg")
                && f.path("headers").path("req_id").asText().equals(reqId)).toList();
    }

    /** Every frame the bot sent. */
    public synchronized List<JsonNode> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop();
    }
}

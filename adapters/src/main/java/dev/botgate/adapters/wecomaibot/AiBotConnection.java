package dev.botgate.adapters.wecomaibot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.delivery.ApiClient;
import dev.botgate.adapters.delivery.HealthRecord;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The 智能机器人's long connection: a WebSocket (the JDK's {@link WebSocket}) from Botgate to WeCom, so no public URL
 * is needed. After connecting it sends {@code aibot_subscribe} with the BotID and Secret; once WeCom answers errcode
 * 0, it pings every {@code heartbeat} and treats a connection silent for three heartbeats as dead. A dropped or
 * refused connection is opened again after a backoff that doubles up to a minute (reset once subscribed). Message
 * frames go to the adapter; answers go back as {@code aibot_respond_msg} frames carrying the message's
 * {@code req_id}, a frame being written only while subscribed (a send waits up to {@code sendWait} for the connection
 * to come back).
 */
final class AiBotConnection implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(AiBotConnection.class.getName());
    /** Least time between two stream frames of one answer. */
    static final Duration FRAME_INTERVAL = Duration.ofMillis(200);

    /** Timings; tests shorten them. */
    record Timing(Duration heartbeat, Duration initialBackoff, Duration maxBackoff, Duration sendWait) {
        static Timing defaults() {
            return new Timing(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(1),
                    Duration.ofSeconds(20));
        }
    }

    private final WeComAiBotConfig config;
    private final AdapterOptions options;
    private final HealthRecord health;
    private final Consumer<JsonNode> frames;
    private final Timing timing;
    private final HttpClient http;
    private final Object lock = new Object();
    private WebSocket socket;
    /** Completes when the current connection ends (closed, failed, or aborted by us). */
    private CompletableFuture<Void> ended = new CompletableFuture<>();
    private boolean subscribed;
    private boolean closed;
    private String subscribeReq = "";
    private final AtomicLong lastHeard = new AtomicLong();
    /** Frames written and acknowledged per message req_id on the current connection. */
    private final Map<String, Acks> acks = new java.util.concurrent.ConcurrentHashMap<>();

    /** WeCom answers each frame with {@code {headers: {req_id}, errcode}}; counted to know the final one arrived. */
    private static final class Acks {
        WebSocket ws;
        int sent;
        int acked;
        long lastError;
    }
    private final AtomicLong connections = new AtomicLong();
    /**
     * Message frames are handed on one at a time, in arrival order, off the listener's thread (recording a message
     * waits for its commit): a frame per thread let WeCom's re-delivery of a message overtake the original, so the
     * dedupe kept the copy and the answer went to the copy's req_id instead of the original's.
     */
    private final ExecutorService inbound = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("aibot-frames").factory());
    private Thread runner;

    AiBotConnection(WeComAiBotConfig config, AdapterOptions options, HealthRecord health, Consumer<JsonNode> frames) {
        this(config, options, health, frames, Timing.defaults());
    }

    AiBotConnection(WeComAiBotConfig config, AdapterOptions options, HealthRecord health, Consumer<JsonNode> frames,
                    Timing timing) {
        this.config = config;
        this.options = options;
        this.health = health;
        this.frames = frames;
        this.timing = timing;
        this.http = HttpClient.newBuilder().connectTimeout(options.requestTimeout()).build();
    }

    /** Connects in the background and keeps the connection up until {@link #close}. */
    void start() {
        runner = Thread.ofVirtual().name("aibot-ws").start(this::keepConnected);
    }

    /** Whether the connection is open and subscribed. */
    boolean subscribed() {
        synchronized (lock) {
            return subscribed;
        }
    }

    /** How many connections were opened so far. */
    long connections() {
        return connections.get();
    }

    private void keepConnected() {
        Duration backoff = timing.initialBackoff();
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            CompletableFuture<Void> ended = new CompletableFuture<>();
            synchronized (lock) {
                this.ended = ended;
            }
            try {
                WebSocket ws = http.newWebSocketBuilder().connectTimeout(options.requestTimeout())
                        .buildAsync(config.wsUrl(), new Listener(ended)).get(options.requestTimeout().toMillis(),
                                TimeUnit.MILLISECONDS);
                connections.incrementAndGet();
                lastHeard.set(System.nanoTime());
                String req = reqId();
                synchronized (lock) {
                    socket = ws;
                    subscribeReq = req;
                }
                write(ws, frame("aibot_subscribe", req, Map.of("bot_id", config.botId(), "secret", config.secret())));
                boolean everSubscribed = heartbeatUntilEnded(ws, ended);
                if (everSubscribed) {
                    backoff = timing.initialBackoff();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "智能机器人 long connection to " + config.wsUrl().getHost() + " failed: "
                        + e.getClass().getSimpleName());
            } finally {
                synchronized (lock) {
                    socket = null;
                    subscribed = false;
                    lock.notifyAll();
                }
            }
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(timing.maxBackoff()) > 0 ? timing.maxBackoff()
                    : backoff.multipliedBy(2);
        }
    }

    /** Pings every heartbeat until the connection ends or falls silent; returns whether it was ever subscribed. */
    private boolean heartbeatUntilEnded(WebSocket ws, CompletableFuture<Void> ended)
            throws InterruptedException, IOException {
        boolean everSubscribed = false;
        while (true) {
            try {
                ended.get(timing.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
                return everSubscribed || subscribed();
            } catch (ExecutionException e) {
                return everSubscribed || subscribed();
            } catch (TimeoutException e) {
                everSubscribed |= subscribed();
                if (System.nanoTime() - lastHeard.get() > timing.heartbeat().multipliedBy(3).toNanos()) {
                    LOG.log(Level.WARNING, "智能机器人 long connection silent for three heartbeats: reconnecting");
                    ws.abort();
                    ended.complete(null);
                    return everSubscribed;
                }
                if (subscribed()) {
                    write(ws, frame("ping", reqId(), null));
                }
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Void> ended;
        private final StringBuilder text = new StringBuilder();

        Listener(CompletableFuture<Void> ended) {
            this.ended = ended;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String whole = text.toString();
                text.setLength(0);
                lastHeard.set(System.nanoTime());
                received(whole);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended.completeExceptionally(error);
        }
    }

    private void received(String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "智能机器人 long connection: a frame that is not JSON was ignored");
            return;
        }
        String cmd = frame.path("cmd").asText("");
        String req = frame.path("headers").path("req_id").asText("");
        if (cmd.isEmpty()) {
            // An answer to one of ours: the subscription's decides whether we are connected.
            Acks a = acks.get(req);
            if (a != null) {
                synchronized (a) {
                    a.acked++;
                    long code = frame.path("errcode").asLong(0);
                    if (code != 0) {
                        a.lastError = code;
                    }
                    a.notifyAll();
                }
                return;
            }
            synchronized (lock) {
                if (req.equals(subscribeReq)) {
                    long code = frame.path("errcode").asLong(-1);
                    if (code == 0) {
                        subscribed = true;
                        health.succeeded();
                        lock.notifyAll();
                    } else {
                        health.failed("WeCom refused the 智能机器人 subscription (errcode " + code + "): check "
                                + "wecom-aibot.bot-id and wecom-aibot.secret", true);
                        if (socket != null) {
                            socket.abort(); // the listener hears nothing more: end the wait ourselves
                        }
                        ended.complete(null);
                    }
                }
            }
            return;
        }
        if (cmd.equals("aibot_event_callback")
                && frame.path("body").path("event").path("eventtype").asText("").equals("disconnected_event")) {
            LOG.log(Level.WARNING, "智能机器人 long connection: WeCom says another connection took over this bot");
        }
        try {
            inbound.execute(() -> {
                try {
                    frames.accept(frame);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "智能机器人 long connection: a message frame failed: " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: WeCom delivers the message again to the next connection
        }
    }

    /** A streamed answer on this connection. */
    ReplyStream stream(ReplyTo.WeComAiBotChat to) {
        return new ReplyStream() {
            private long lastFrame;

            @Override
            public void update(String textSoFar) {
                long now = System.nanoTime();
                if (textSoFar.isBlank() || now - lastFrame < FRAME_INTERVAL.toNanos()) {
                    return; // folded into the next frame
                }
                lastFrame = now;
                respond(to, textSoFar, false);
            }

            @Override
            public void finish(OutboundText text) {
                respond(to, text.withSourcesLine(), true);
            }
        };
    }

    private void respond(ReplyTo.WeComAiBotChat to, String content, boolean finish) {
        Map<String, Object> stream = new LinkedHashMap<>();
        stream.put("id", to.streamId());
        stream.put("finish", finish);
        stream.put("content", content);
        String frame = frameWithReq("aibot_respond_msg", to.reqId(), Map.of("msgtype", "stream", "stream", stream));
        WebSocket ws = awaitSubscribed();
        Acks a = acks.computeIfAbsent(to.reqId(), k -> new Acks());
        int expected;
        synchronized (a) {
            if (a.ws != ws) { // a new connection: acknowledgements of the old one never come
                a.ws = ws;
                a.sent = 0;
                a.acked = 0;
                a.lastError = 0;
            }
            a.sent++;
            expected = a.sent;
        }
        try {
            write(ws, frame);
        } catch (IOException e) {
            throw SendException.transientFailure("智能机器人 long connection dropped while answering: will retry");
        }
        if (finish) {
            awaitAck(to.reqId(), a, ws, expected);
        }
    }

    /**
     * Waits until WeCom acknowledged the answer's last frame on the connection it was written to: a frame written
     * just before a drop may never have arrived, and only the acknowledgement says it did. Without one the send fails
     * retryable, and the gateway's retry writes the final frame again on the next connection.
     */
    private void awaitAck(String reqId, Acks a, WebSocket ws, int expected) {
        long end = System.nanoTime() + timing.sendWait().toNanos();
        try {
            synchronized (a) {
                while (a.acked < expected) {
                    long left = end - System.nanoTime();
                    boolean gone;
                    synchronized (lock) {
                        gone = socket != ws || closed;
                    }
                    if (gone || left <= 0 || a.ws != ws) {
                        throw SendException.transientFailure("WeCom did not acknowledge the answer on the 智能机器人 "
                                + "long connection" + (gone ? " before it dropped" : "") + ": will send it again");
                    }
                    a.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
                }
                if (a.lastError != 0) {
                    throw SendException.permanent("WeCom refused the answer on the 智能机器人 long connection "
                            + "(errcode " + a.lastError + ")");
                }
            }
            acks.remove(reqId, a);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SendException.transientFailure("interrupted waiting for WeCom's acknowledgement");
        }
    }

    private WebSocket awaitSubscribed() {
        long end = System.nanoTime() + timing.sendWait().toNanos();
        synchronized (lock) {
            while (!subscribed || socket == null) {
                long left = end - System.nanoTime();
                if (closed || left <= 0) {
                    throw SendException.transientFailure("the 智能机器人 long connection is down: will retry");
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SendException.transientFailure("interrupted waiting for the long connection");
                }
            }
            return socket;
        }
    }

    /** One text frame at a time: the JDK's WebSocket allows a single outstanding send. */
    private void write(WebSocket ws, String text) throws IOException {
        synchronized (ws) {
            try {
                ws.sendText(text, true).get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("send failed", e);
            }
        }
    }

    private static String frame(String cmd, String reqId, Map<String, Object> body) {
        return frameWithReq(cmd, reqId, body);
    }

    private static String frameWithReq(String cmd, String reqId, Map<String, Object> body) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cmd", cmd);
        f.put("headers", Map.of("req_id", reqId));
        if (body != null) {
            f.put("body", body);
        }
        return ApiClient.toJson(f);
    }

    private static String reqId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    @Override
    public void close() {
        WebSocket ws;
        synchronized (lock) {
            closed = true;
            ws = socket;
            lock.notifyAll();
        }
        if (ws != null) {
            ws.abort();
        }
        if (runner != null) {
            runner.interrupt();
        }
        inbound.shutdownNow();
        http.shutdownNow();
    }
}

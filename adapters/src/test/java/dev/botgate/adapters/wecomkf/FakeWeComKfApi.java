package dev.botgate.adapters.wecomkf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.FakeApiServer.Recorded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 微信客服 API as far as Botgate uses it, speaking its JSON: {@code gettoken}; {@code kf/sync_msg} over a message
 * list that tests append to (the cursor is the position, {@code limit} per page, {@code has_more}), checking the
 * event token; {@code kf/send_msg} (a {@code msgid} already delivered is not delivered again; 95018 while a servicer,
 * the pool or an ended session holds the customer); {@code kf/send_msg_on_event} (each welcome code once);
 * {@code kf/service_state/trans} and {@code get}. Records every request. Public for the gateway's tests.
 */
public final class FakeWeComKfApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String corpId;
    private final String secret;
    private final FakeApiServer server;
    private final AtomicInteger issued = new AtomicInteger();
    private final List<ObjectNode> messages = new ArrayList<>();
    private final Set<String> eventTokens = new HashSet<>();
    private final Set<String> deliveredIds = new HashSet<>();
    private final List<JsonNode> delivered = new ArrayList<>();
    private final Map<String, Integer> states = new HashMap<>();
    private final Map<String, String> welcomeCodes = new LinkedHashMap<>();
    private final Map<String, String> codeOwners = new HashMap<>();
    private final AtomicInteger syncsRunning = new AtomicInteger();
    private int maxConcurrentSyncs;
    private int pageSize = 1000;
    private Duration syncDelay = Duration.ZERO;
    private Duration nextSendDelay = Duration.ZERO;
    private int seq;

    private FakeWeComKfApi(String corpId, String secret) {
        this.corpId = corpId;
        this.secret = secret;
        this.server = FakeApiServer.start(this::answer);
    }

    /** Starts a fake that accepts these credentials. */
    public static FakeWeComKfApi start(String corpId, String secret) {
        return new FakeWeComKfApi(corpId, secret);
    }

    /** The {@code api-base} to configure. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The underlying server. */
    public FakeApiServer server() {
        return server;
    }

    /** A new sync token, as one {@code kf_msg_or_event} callback carries. */
    public synchronized String newEventToken() {
        String t = "ENC" + (eventTokens.size() + 1) + "xyz";
        eventTokens.add(t);
        return t;
    }

    /** At most this many items per sync_msg page. */
    public synchronized void pageSize(int n) {
        pageSize = n;
    }

    /** Every sync_msg answers only after this wait. */
    public synchronized void syncDelay(Duration d) {
        syncDelay = d;
    }

    /** The next send_msg is delivered at once but answered only after this wait (a client timeout). */
    public synchronized void delayNextSendAnswer(Duration d) {
        nextSendDelay = d;
    }

    /** A customer (origin 3) writes a text; returns its msgid. */
    public synchronized String customerWrites(String openKfId, String customer, String text) {
        if (states.getOrDefault(customer, 0) == 4) {
            states.put(customer, 0); // a message after an ended session opens a new one
        }
        ObjectNode m = item(openKfId, customer, 3, "text");
        m.putObject("text").put("content", text);
        return m.path("msgid").asText();
    }

    /** A customer sends an image. */
    public synchronized String customerSendsImage(String openKfId, String customer) {
        ObjectNode m = item(openKfId, customer, 3, "image");
        m.putObject("image").put("media_id", "MEDIA" + seq);
        return m.path("msgid").asText();
    }

    /** A servicer (origin 5) writes to the customer. */
    public synchronized void servicerWrites(String openKfId, String customer, String servicer, String text) {
        ObjectNode m = item(openKfId, customer, 5, "text");
        m.put("servicer_userid", servicer);
        m.putObject("text").put("content", text);
    }

    /** The customer opens the chat: an {@code enter_session} event with a fresh welcome code; returns the code. */
    public synchronized String customerEnters(String openKfId, String customer) {
        String code = "WELCOME" + (codeOwners.size() + 1);
        welcomeCodes.put(code, customer);
        codeOwners.put(code, customer);
        ObjectNode m = item(openKfId, "", 4, "event");
        m.remove("external_userid");
        ObjectNode e = m.putObject("event");
        e.put("event_type", "enter_session").put("open_kfid", openKfId).put("external_userid", customer)
                .put("scene", "123").put("welcome_code", code);
        return code;
    }

    /** The servicer ends the session: state 4 and a {@code session_status_change} event (change_type 3). */
    public synchronized void servicerEnds(String openKfId, String customer, String servicer) {
        states.put(customer, 4);
        ObjectNode m = item(openKfId, "", 4, "event");
        m.remove("external_userid");
        m.putObject("event").put("event_type", "session_status_change").put("open_kfid", openKfId)
                .put("external_userid", customer).put("change_type", 3).put("old_servicer_userid", servicer);
    }

    /** Sets a customer's session state (0..4). */
    public synchronized void state(String customer, int state) {
        states.put(customer, state);
    }

    /** A customer's session state. */
    public synchronized int state(String customer) {
        return states.getOrDefault(customer, 0);
    }

    private ObjectNode item(String openKfId, String customer, int origin, String type) {
        ObjectNode m = JSON.createObjectNode();
        m.put("msgid", "MSG" + (++seq) + "kf");
        m.put("open_kfid", openKfId);
        m.put("external_userid", customer);
        m.put("send_time", System.currentTimeMillis() / 1000);
        m.put("origin", origin);
        m.put("msgtype", type);
        messages.add(m);
        return m;
    }

    /** Texts delivered to a customer through send_msg and send_msg_on_event, in order. */
    public synchronized List<String> textsTo(String customer) {
        return delivered.stream().filter(j -> j.path("touser").asText().equals(customer)
                        || customer.equals(codeOwners.get(j.path("code").asText())))
                .map(j -> j.path("text").path("content").asText()).toList();
    }

    /** The most sync_msg calls that were in progress at once. */
    public synchronized int maxConcurrentSyncs() {
        return maxConcurrentSyncs;
    }

    private Canned answer(Recorded r) {
        Duration wait;
        Canned c;
        synchronized (this) {
            if (!r.path().equals("/cgi-bin/gettoken") && !r.query().getOrDefault("access_token", "")
                    .startsWith("kf-token-")) {
                return Canned.json(200, "{\"errcode\":40014,\"errmsg\":\"invalid access_token\"}");
            }
            switch (r.path()) {
                case "/cgi-bin/gettoken" -> {
                    if (!corpId.equals(r.query().get("corpid")) || !secret.equals(r.query().get("corpsecret"))) {
                        return Canned.json(200, "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}");
                    }
                    return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"kf-token-"
                            + issued.incrementAndGet() + "\",\"expires_in\":7200}");
                }
                case "/cgi-bin/kf/sync_msg" -> {
                    wait = syncDelay;
                }
                case "/cgi-bin/kf/send_msg" -> {
                    c = send(r.json());
                    wait = nextSendDelay;
                    nextSendDelay = Duration.ZERO;
                    return wait.isZero() ? c : c.delayed(wait);
                }
                case "/cgi-bin/kf/send_msg_on_event" -> {
                    JsonNode b = r.json();
                    if (welcomeCodes.remove(b.path("code").asText()) == null) {
                        return Canned.json(200, "{\"errcode\":95016,\"errmsg\":\"invalid welcome code\"}");
                    }
                    delivered.add(b);
                    return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":\"" + b.path("msgid").asText()
                            + "\"}");
                }
                case "/cgi-bin/kf/service_state/trans" -> {
                    JsonNode b = r.json();
                    states.put(b.path("external_userid").asText(), b.path("service_state").asInt());
                    return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"msg_code\":\"MSGCODE\"}");
                }
                case "/cgi-bin/kf/service_state/get" -> {
                    String u = r.json().path("external_userid").asText();
                    return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"service_state\":"
                            + states.getOrDefault(u, 0) + ",\"servicer_userid\":\""
                            + (states.getOrDefault(u, 0) == 3 ? "zhangsan" : "") + "\"}");
                }
                default -> {
                    return Canned.json(404, "{\"errcode\":404,\"errmsg\":\"not found\"}");
                }
            }
        }
        // sync_msg: counted as running while it waits, to see whether two ever overlap
        int now = syncsRunning.incrementAndGet();
        synchronized (this) {
            maxConcurrentSyncs = Math.max(maxConcurrentSyncs, now);
        }
        try {
            if (!wait.isZero()) {
                Thread.sleep(wait);
            }
            return sync(r.json());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Canned.json(500, "{}");
        } finally {
            syncsRunning.decrementAndGet();
        }
    }

    private synchronized Canned sync(JsonNode b) {
        String token = b.path("token").asText("");
        if (!token.isEmpty() && !eventTokens.contains(token)) {
            return Canned.json(200, "{\"errcode\":95007,\"errmsg\":\"invalid msg token\"}");
        }
        String cursor = b.path("cursor").asText("");
        int from = cursor.isEmpty() ? 0 : Integer.parseInt(cursor.substring(1));
        String account = b.path("open_kfid").asText();
        int limit = Math.min(pageSize, b.path("limit").asInt(1000));
        ArrayNode list = JSON.createArrayNode();
        int i = from;
        for (; i < messages.size() && list.size() < limit; i++) {
            if (messages.get(i).path("open_kfid").asText().equals(account)) {
                list.add(messages.get(i));
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("errcode", 0).put("errmsg", "ok").put("next_cursor", "c" + i).put("has_more", i < messages.size() ? 1 : 0);
        out.set("msg_list", list);
        return Canned.json(200, out.toString());
    }

    private Canned send(JsonNode b) {
        String id = b.path("msgid").asText("");
        if (!id.isEmpty() && deliveredIds.contains(id)) {
            // Same msgid again: the platform does not deliver it twice (our reading of the msgid field).
            return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":\"" + id + "\"}");
        }
        int state = states.getOrDefault(b.path("touser").asText(), 0);
        if (state != 0 && state != 1) {
            return Canned.json(200, "{\"errcode\":95018,\"errmsg\":\"invalid session status\"}");
        }
        deliveredIds.add(id);
        delivered.add(b);
        return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":\"" + id + "\"}");
    }

    @Override
    public void close() {
        server.close();
    }
}

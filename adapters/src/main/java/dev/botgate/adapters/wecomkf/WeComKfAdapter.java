package dev.botgate.adapters.wecomkf;

import static dev.botgate.adapters.CallbackResult.Reply.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.CallbackRequest;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.ChannelHealth;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundFeed;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.delivery.AccessToken;
import dev.botgate.adapters.delivery.AccessTokenCache;
import dev.botgate.adapters.delivery.ApiClient;
import dev.botgate.adapters.delivery.ApiRequest;
import dev.botgate.adapters.delivery.ApiResponse;
import dev.botgate.adapters.delivery.HealthRecord;
import dev.botgate.adapters.delivery.MarkdownText;
import dev.botgate.adapters.delivery.TextSplitter;
import dev.botgate.adapters.delivery.ThrottledReplyStream;
import dev.botgate.adapters.wxcrypto.WxCallback;
import dev.botgate.adapters.wxcrypto.WxCrypto;
import dev.botgate.adapters.wxcrypto.WxCryptoException;
import dev.botgate.adapters.wxcrypto.WxXml;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WeCom 微信客服 (customer service) bot, answering customers who write from WeChat.
 *
 * <ul>
 *   <li>GET: URL verification as for a WeCom app. POST: the encrypted XML callback (receive id: the CorpID) carries
 *   no message, only {@code Event=kf_msg_or_event} with a sync {@code Token} and the {@code OpenKfId}; it is
 *   acknowledged with an empty 200 at once.</li>
 *   <li>The messages are pulled with {@code kf/sync_msg} (the event's token, the saved cursor, the account), page by
 *   page while {@code has_more}; each page's messages are handed to the gateway (deduped and recorded by
 *   {@code msgid}) before its {@code next_cursor} is saved, so a restart neither replays nor skips. One sync at a
 *   time per account: an event during a sync makes that sync run once more with the newest token.</li>
 *   <li>Customer messages ({@code origin} 3) are answered; servicer messages ({@code origin} 5) and
 *   {@code session_status_change} events mark the session as held by a human, and the bot stays silent until the
 *   session ends or is handed back. {@code enter_session} events with a {@code welcome_code} get the welcome through
 *   {@code kf/send_msg_on_event}.</li>
 *   <li>Answers go through {@code kf/send_msg} with our own {@code msgid} derived from the customer's message, at most
 *   5 within 48 h of the customer's last message; errcode 95018 (the session does not let the bot send) is a
 *   refusal with its reason.</li>
 *   <li>Handoff: {@link #transfer} ({@code kf/service_state/trans}) and {@link #serviceState}
 *   ({@code kf/service_state/get}).</li>
 * </ul>
 */
public final class WeComKfAdapter implements ChannelAdapter, InboundFeed {
    /** WeCom truncates text beyond 2048 bytes; stay under it. */
    static final int MAX_TEXT_BYTES = 2000;
    static final int ORIGIN_CUSTOMER = 3;
    static final int ORIGIN_EVENT = 4;
    static final int ORIGIN_SERVICER = 5;
    /** errcode of send_msg when the session's state does not allow the bot to send. */
    static final long SESSION_NOT_ALLOWED = 95018;
    static final Set<Long> TOKEN_EXPIRED = Set.of(40014L, 42001L, 42009L);
    private static final String SECTION = "wecom-kf";
    private static final System.Logger LOG = System.getLogger(WeComKfAdapter.class.getName());

    private final String botId;
    private final WeComKfConfig config;
    private final AdapterOptions options;
    private final WxCrypto crypto;
    private final ApiClient api;
    private final AccessTokenCache tokens;
    private final HealthRecord health;
    private final KfSessions sessions = new KfSessions();
    private final Map<String, AccountSync> syncs = new ConcurrentHashMap<>();
    private volatile FeedSink sink;

    /**
     * @param botId   the bot's id
     * @param config  its 微信客服 settings
     * @param options clock, retries, timeouts
     */
    public WeComKfAdapter(String botId, WeComKfConfig config, AdapterOptions options) {
        this.botId = botId;
        this.config = config;
        this.options = options;
        this.crypto = new WxCrypto(config.token(), config.encodingAesKey(), config.corpId());
        this.api = new ApiClient("WeCom kf", config.apiBase(), options);
        this.health = new HealthRecord(options.clock());
        this.tokens = new AccessTokenCache(options.clock(), Duration.ofMinutes(5), this::fetchToken);
        config.openKfIds().forEach(id -> syncs.put(id, new AccountSync(id)));
    }

    @Override
    public Channel channel() {
        return Channel.WECOM_KF;
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public void start(FeedSink sink) {
        sessions.persistTo(new KfSessions.Store() {
            @Override
            public Optional<String> load(String key) {
                return sink.cursor(key);
            }

            @Override
            public void save(String key, String value) {
                sink.saveCursor(key, value);
            }
        });
        this.sink = sink;
        // Events that came before the gateway was ready waited for the sink: pull them now.
        syncs.values().forEach(AccountSync::kickIfPending);
    }

    @Override
    public CallbackResult handle(CallbackRequest request) {
        return switch (request.method()) {
            case "GET" -> WxCallback.verifyUrl(request, crypto, options, SECTION);
            case "POST" -> event(request);
            default -> refuse(405, "method not allowed: WeCom calls with GET (verification) and POST (events)");
        };
    }

    private CallbackResult event(CallbackRequest request) {
        WxCallback.Opened opened = WxCallback.open(request, crypto, options, SECTION,
                body -> WxXml.parse(body).get("Encrypt"));
        if (opened.refusal().isPresent()) {
            return opened.refusal().get();
        }
        WxXml msg;
        try {
            msg = WxXml.parse(opened.plaintext());
        } catch (WxCryptoException e) {
            return refuse(400, "decrypted event is not XML");
        }
        HttpReply ok = HttpReply.text(200, "");
        if (!msg.text("MsgType").equals("event") || !msg.text("Event").equals("kf_msg_or_event")) {
            return new CallbackResult.Reply(ok, "ignored: " + CallbackResult.Reply.clip(msg.text("MsgType") + "/"
                    + msg.text("Event")));
        }
        String account = msg.text("OpenKfId");
        AccountSync sync = syncs.get(account);
        if (sync == null) {
            LOG.log(Level.WARNING, "bot " + botId + ": event for 客服账号 " + CallbackResult.Reply.clip(account)
                    + ", which is not in wecom-kf.open-kfid: ignored");
            return new CallbackResult.Reply(ok, "ignored: account not configured");
        }
        sync.request(msg.text("Token"));
        return new CallbackResult.Reply(ok, "kf event: sync");
    }

    /**
     * One account's pull. At most one runs at a time; an event that comes during a sync sets {@code again}, so the
     * running sync goes round once more (with the newest token) instead of a second one racing it.
     */
    private final class AccountSync {
        private final String openKfId;
        private String token = "";
        private boolean running;
        private boolean again;

        AccountSync(String openKfId) {
            this.openKfId = openKfId;
        }

        synchronized void request(String eventToken) {
            token = eventToken;
            if (running) {
                again = true;
                return;
            }
            if (sink == null) {
                again = true; // start() kicks it
                return;
            }
            running = true;
            Thread.ofVirtual().name("kf-sync-" + botId).start(this::run);
        }

        synchronized void kickIfPending() {
            if (again && !running) {
                again = false;
                running = true;
                Thread.ofVirtual().name("kf-sync-" + botId).start(this::run);
            }
        }

        private void run() {
            while (true) {
                String t;
                synchronized (this) {
                    t = token;
                    again = false;
                }
                try {
                    pull(openKfId, t);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "bot " + botId + ": kf sync of " + openKfId + " failed, the next event "
                            + "retries from the saved cursor: " + e.getMessage());
                }
                synchronized (this) {
                    if (!again) {
                        running = false;
                        notifyAll();
                        return;
                    }
                }
            }
        }

        /** Waits until no sync runs (tests, close). */
        synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (running || again) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Waits until every account's sync has finished (for tests and orderly shutdown). */
    public boolean awaitSyncs(Duration timeout) throws InterruptedException {
        for (AccountSync s : syncs.values()) {
            if (!s.awaitIdle(timeout)) {
                return false;
            }
        }
        return true;
    }

    /** Pulls everything after the saved cursor, page by page; saves each page's cursor after its messages. */
    private void pull(String openKfId, String eventToken) {
        FeedSink out = sink;
        String cursorKey = "kf:" + openKfId;
        String cursor = out.cursor(cursorKey).orElse("");
        while (true) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (!cursor.isEmpty()) {
                body.put("cursor", cursor);
            }
            if (!eventToken.isEmpty()) {
                body.put("token", eventToken);
            }
            body.put("limit", 1000);
            body.put("voice_format", 0);
            body.put("open_kfid", openKfId);
            ApiResponse r = call("kf/sync_msg", "/cgi-bin/kf/sync_msg", body);
            for (JsonNode item : r.json().path("msg_list")) {
                take(item);
            }
            String next = r.text("next_cursor");
            if (next.isEmpty() || next.equals(cursor)) {
                return; // nothing moved: asking again would only repeat this page
            }
            out.saveCursor(cursorKey, next);
            cursor = next;
            if (r.number("has_more", 0) != 1) {
                return;
            }
        }
    }

    /** One pulled item: a customer's message to answer, a servicer's message, or a system event. */
    private void take(JsonNode item) {
        String msgId = item.path("msgid").asText("");
        int origin = item.path("origin").asInt(0);
        String account = item.path("open_kfid").asText("");
        String customer = item.path("external_userid").asText("");
        String msgType = item.path("msgtype").asText("");
        if (msgId.isEmpty()) {
            return;
        }
        switch (origin) {
            case ORIGIN_CUSTOMER -> {
                if (customer.isEmpty()) {
                    return;
                }
                Instant at = Instant.ofEpochSecond(item.path("send_time").asLong(options.clock().instant()
                        .getEpochSecond()));
                sessions.customerWrote(account, customer, at);
                boolean text = msgType.equals("text");
                InboundMessage m = new InboundMessage(Channel.WECOM_KF, botId, conversation(account, customer),
                        customer, text ? item.path("text").path("content").asText("").strip() : "", msgId,
                        text ? MessageKind.TEXT : MessageKind.UNSUPPORTED,
                        new ReplyTo.WeComKfCustomer(account, customer, ""), false);
                Optional<String> human = sessions.human(account, customer);
                if (human.isPresent()) {
                    sink.recordOnly(m, "a human servicer" + (human.get().isEmpty() ? "" : " (" + human.get() + ")")
                            + " holds the session");
                } else {
                    sink.accept(m);
                }
            }
            case ORIGIN_SERVICER -> sessions.toHuman(account, customer, item.path("servicer_userid").asText(""));
            case ORIGIN_EVENT -> systemEvent(msgId, item);
            default -> LOG.log(Level.DEBUG, "bot " + botId + ": kf item of origin " + origin + " ignored");
        }
    }

    private void systemEvent(String msgId, JsonNode item) {
        JsonNode event = item.path("event");
        String account = event.path("open_kfid").asText(item.path("open_kfid").asText(""));
        String customer = event.path("external_userid").asText(item.path("external_userid").asText(""));
        if (customer.isEmpty()) {
            return;
        }
        switch (event.path("event_type").asText("")) {
            case "enter_session" -> {
                String code = event.path("welcome_code").asText("");
                if (!code.isEmpty() && sessions.human(account, customer).isEmpty()) {
                    sink.accept(new InboundMessage(Channel.WECOM_KF, botId, conversation(account, customer), customer,
                            "", msgId, MessageKind.WELCOME, new ReplyTo.WeComKfCustomer(account, customer, code),
                            false));
                }
            }
            case "session_status_change" -> {
                // change_type: 1 taken from the pool, 2 transferred, 3 ended, 4 re-opened by a servicer.
                int change = event.path("change_type").asInt(0);
                if (change == 3) {
                    sessions.toBot(account, customer);
                } else if (change == 1 || change == 2 || change == 4) {
                    sessions.toHuman(account, customer, event.path("new_servicer_userid").asText(""));
                }
            }
            default -> {
                // msg_send_fail, servicer_status_change, user_recall_msg, …: nothing for the bot to do
            }
        }
    }

    private static String conversation(String account, String customer) {
        return "kf:" + account + ":" + customer;
    }

    @Override
    public void send(InboundMessage replyTo, OutboundText text) {
        if (!(replyTo.replyTo() instanceof ReplyTo.WeComKfCustomer to)) {
            throw SendException.permanent("not a WeCom kf message: " + replyTo.replyTo().getClass().getSimpleName());
        }
        List<String> parts = TextSplitter.utf8Bytes(MarkdownText.toPlain(text.withSourcesLine()), MAX_TEXT_BYTES);
        if (!to.welcomeCode().isEmpty()) {
            // The welcome code is good for one message, 20 s: the first part only.
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", to.welcomeCode());
            body.put("msgid", KfMsgIds.derive(replyTo.messageId(), 0));
            body.put("msgtype", "text");
            body.put("text", Map.of("content", parts.isEmpty() ? "" : parts.getFirst()));
            checked("kf/send_msg_on_event", call("kf/send_msg_on_event", "/cgi-bin/kf/send_msg_on_event", body),
                    to);
            return;
        }
        Optional<String> human = sessions.human(to.openKfId(), to.externalUserId());
        if (human.isPresent()) {
            throw SendException.permanent("not sent: a human servicer holds this 微信客服 session; the bot answers "
                    + "again when it ends");
        }
        for (int i = 0; i < parts.size(); i++) {
            String msgId = KfMsgIds.derive(replyTo.messageId(), i);
            if (!sessions.allow(to.openKfId(), to.externalUserId(), msgId, options.clock().instant())) {
                throw SendException.permanent("not sent (part " + (i + 1) + " of " + parts.size() + "): 微信客服 allows "
                        + "at most " + KfSessions.QUOTA + " messages within 48 h of the customer's last message");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("touser", to.externalUserId());
            body.put("open_kfid", to.openKfId());
            body.put("msgid", msgId);
            body.put("msgtype", "text");
            body.put("text", Map.of("content", parts.get(i)));
            checked("kf/send_msg", call("kf/send_msg", "/cgi-bin/kf/send_msg", body), to);
        }
    }

    private void checked(String what, ApiResponse r, ReplyTo.WeComKfCustomer to) {
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        if (code == 0) {
            health.succeeded();
            return;
        }
        if (code == SESSION_NOT_ALLOWED) {
            // The session is with a servicer, queued for one, or ended: the bot may not send. Not an operator problem.
            sessions.toHuman(to.openKfId(), to.externalUserId(), "");
            throw SendException.permanent("WeCom kf refused " + what + " (errcode 95018): the session's state does "
                    + "not allow the bot to send (a servicer holds it, it waits in the pool, or it ended)");
        }
        throw failure(what, code, r);
    }

    /**
     * Hands a customer's session to a human: {@code kf/service_state/trans} to state 3 with the servicer, or, without
     * one (and no {@code servicer} configured), to state 2, the servicers' pool. The bot stays silent from then on.
     */
    public void transfer(String openKfId, String externalUserId, Optional<String> servicerUserId) {
        Optional<String> servicer = servicerUserId.or(config::servicer);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("open_kfid", openKfId);
        body.put("external_userid", externalUserId);
        body.put("service_state", servicer.isPresent() ? 3 : 2);
        servicer.ifPresent(s -> body.put("servicer_userid", s));
        ApiResponse r = call("kf/service_state/trans", "/cgi-bin/kf/service_state/trans", body);
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        if (code != 0) {
            throw failure("kf/service_state/trans", code, r);
        }
        sessions.toHuman(openKfId, externalUserId, servicer.orElse(""));
    }

    /**
     * A customer's session state from {@code kf/service_state/get}: 0 new, 1 the bot (智能助手), 2 in the pool, 3 a
     * servicer, 4 ended. Also updates whether the bot answers: it does in states 0, 1 and 4.
     */
    public KfServiceState serviceState(String openKfId, String externalUserId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("open_kfid", openKfId);
        body.put("external_userid", externalUserId);
        ApiResponse r = call("kf/service_state/get", "/cgi-bin/kf/service_state/get", body);
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        if (code != 0) {
            throw failure("kf/service_state/get", code, r);
        }
        KfServiceState state = new KfServiceState((int) r.number("service_state", 0), r.text("servicer_userid"));
        if (state.botAnswers()) {
            sessions.toBot(openKfId, externalUserId);
        } else {
            sessions.toHuman(openKfId, externalUserId, state.servicerUserId());
        }
        return state;
    }

    /** Whether the bot stays silent for this customer because a human servicer holds the session. */
    public boolean heldByHuman(String openKfId, String externalUserId) {
        return sessions.human(openKfId, externalUserId).isPresent();
    }

    /**
     * A session's state.
     *
     * @param state          0 new, 1 the bot (智能助手), 2 in the pool, 3 a servicer, 4 ended
     * @param servicerUserId the servicer, in state 3
     */
    public record KfServiceState(int state, String servicerUserId) {
        /** Whether the bot may answer: new, its own, or ended (a new message opens a new session). */
        public boolean botAnswers() {
            return state == 0 || state == 1 || state == 4;
        }
    }

    /** A POST to a kf API with the access token, once more with a fresh token when it expired. */
    private ApiResponse call(String what, String path, Map<String, Object> body) {
        String json = ApiClient.toJson(body);
        for (int tokenTry = 1; ; tokenTry++) {
            String token = tokens.get();
            ApiResponse r = api.call(ApiRequest.post(path, json).query("access_token", token),
                    res -> res.number("errcode", 0) == -1);
            long code = r.number("errcode", r.status() == 200 ? 0 : -2);
            if (TOKEN_EXPIRED.contains(code) && tokenTry == 1) {
                tokens.invalidate(token);
                continue;
            }
            if (code != 0 && code != SESSION_NOT_ALLOWED && !what.startsWith("kf/send")) {
                throw failure(what, code, r);
            }
            return r;
        }
    }

    private AccessToken fetchToken() {
        ApiResponse r = api.call(ApiRequest.get("/cgi-bin/gettoken").query("corpid", config.corpId())
                .query("corpsecret", config.secret()), res -> res.number("errcode", 0) == -1);
        long code = r.number("errcode", r.status() == 200 ? 0 : -2);
        String token = r.text("access_token");
        if (code != 0 || token.isEmpty()) {
            if (code == 40001 || code == 40013 || code == 40091) {
                String msg = "WeCom gettoken refused the credentials (errcode " + code + "): check wecom-kf.corp-id "
                        + "and wecom-kf.secret (the Secret of the self-built app allowed in 微信客服 → 可调用接口的应用)";
                health.failed(msg, true);
                throw SendException.permanent(msg);
            }
            throw failure("gettoken", code, r);
        }
        health.tokenFetched();
        return new AccessToken(token, Duration.ofSeconds(r.number("expires_in", 7200)));
    }

    private SendException failure(String call, long code, ApiResponse r) {
        if (code == 60020) {
            String fix = "WeCom refused the call because this server's IP is not trusted (errcode 60020): add it to "
                    + "the app's 企业可信IP in the WeCom admin console";
            health.failed(fix, false);
            return SendException.permanent(fix);
        }
        if (code == 45009 || code == -1 || code == -2 || TOKEN_EXPIRED.contains(code)) {
            return SendException.transientFailure("WeCom " + call + " failed (errcode " + code + ", HTTP "
                    + r.status() + "): " + r.text("errmsg"));
        }
        String msg = "WeCom " + call + " failed (errcode " + code + "): " + r.text("errmsg");
        if (code == 95011 || code == 95013 || code == 95017) {
            msg += "; check that the 客服账号 is connected to this app (wecom-kf.open-kfid, 可调用接口的应用)";
        }
        health.failed(msg, false);
        return SendException.permanent(msg);
    }

    @Override
    public ReplyStream open(InboundMessage replyTo) {
        return ThrottledReplyStream.sendOnFinish(t -> send(replyTo, t));
    }

    @Override
    public ChannelHealth health() {
        return health.snapshot();
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "WeComKfAdapter[" + botId + "]";
    }
}

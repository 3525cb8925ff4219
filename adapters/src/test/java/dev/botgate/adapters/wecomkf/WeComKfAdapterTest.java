package dev.botgate.adapters.wecomkf;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer.Recorded;
import dev.botgate.adapters.InboundFeed;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** The 微信客服 adapter against signed callbacks and a fake kf API over real HTTP. */
public class WeComKfAdapterTest {
    static final String CORP = "ww1436e0e65a779aee";
    static final String SECRET = "kf-app-secret";
    static final String TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
    static final String KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
    static final String KF = "wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw";

    private FakeWeComKfApi api;
    private TestClock clock;
    private WeComKfAdapter adapter;
    private WeComKfCallbacks callbacks;
    private MemorySink sink;

    /** What the gateway does, in memory: dedupe by id, cursors in a map. */
    static final class MemorySink implements InboundFeed.FeedSink {
        final List<InboundMessage> accepted = new ArrayList<>();
        final Map<String, String> recordedOnly = new LinkedHashMap<>();
        final Map<String, String> cursors = new ConcurrentHashMap<>();
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void accept(InboundMessage m) {
            if (!seen.contains(m.messageId())) {
                seen.add(m.messageId());
                accepted.add(m);
            }
        }

        @Override
        public synchronized void recordOnly(InboundMessage m, String reason) {
            seen.add(m.messageId());
            recordedOnly.put(m.messageId(), reason);
        }

        @Override
        public Optional<String> cursor(String key) {
            return Optional.ofNullable(cursors.get(key));
        }

        @Override
        public void saveCursor(String key, String value) {
            cursors.put(key, value);
        }

        synchronized List<String> texts() {
            return accepted.stream().map(InboundMessage::text).toList();
        }
    }

    @BeforeMethod
    public void start() {
        api = FakeWeComKfApi.start(CORP, SECRET);
        clock = new TestClock(Instant.now());
        adapter = new WeComKfAdapter("kf", config(api.baseUrl()), clock.options());
        callbacks = new WeComKfCallbacks(TOKEN, KEY, CORP);
        sink = new MemorySink();
        adapter.start(sink);
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        adapter.close();
        api.close();
    }

    static WeComKfConfig config(String apiBase) {
        return WeComKfConfig.from(Map.of("corp-id", CORP, "secret", SECRET, "token", TOKEN, "encoding-aes-key", KEY,
                "open-kfid", KF, "api-base", apiBase));
    }

    private CallbackResult event(String syncToken) {
        return adapter.handle(callbacks.event(KF, syncToken, clock.instant()).toRequest(clock.instant()));
    }

    private void eventAndWait() throws InterruptedException {
        CallbackResult r = event(api.newEventToken());
        assertTrue(r instanceof CallbackResult.Reply reply && reply.response().status() == 200
                && reply.response().bodyText().isEmpty(), "the event is acknowledged with an empty 200: " + r);
        assertTrue(adapter.awaitSyncs(Duration.ofSeconds(20)), "sync finished");
    }

    @Test
    public void officialUrlVerificationVectorsAreAnswered() {
        for (JsonNode v : Vectors.of("wecom", "url_verification_get")) {
            clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
            WeComKfAdapter a = new WeComKfAdapter("kf", WeComKfConfig.from(Map.of("corp-id",
                    v.path("receive_id").asText(), "secret", SECRET, "token", v.path("token").asText(),
                    "encoding-aes-key", v.path("encoding_aes_key").asText(), "open-kfid", KF)), clock.options());
            SignedCallback get = new SignedCallback("GET", Map.of("msg_signature", v.path("msg_signature").asText(),
                    "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText(), "echostr",
                    v.path("echostr").asText()), Map.of(), new byte[0]);
            CallbackResult r = a.handle(get.toRequest(clock.instant()));
            assertTrue(r instanceof CallbackResult.Reply reply && reply.response().status() == 200
                    && reply.response().bodyText().equals(v.path("expected_plaintext").asText()), v.path("id") + ": " + r);
            a.close();
        }
    }

    @Test
    public void officialPostVectorsVerifyAndDecryptAndATamperedOneIsRefused() {
        for (JsonNode v : Vectors.of("wecom", "decrypt_post")) {
            clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
            WeComKfAdapter a = new WeComKfAdapter("kf", WeComKfConfig.from(Map.of("corp-id",
                    v.path("receive_id").asText(), "secret", SECRET, "token", v.path("token").asText(),
                    "encoding-aes-key", v.path("encoding_aes_key").asText(), "open-kfid", KF)), clock.options());
            Map<String, String> q = Map.of("msg_signature", v.path("msg_signature").asText(), "timestamp",
                    v.path("timestamp").asText(), "nonce", v.path("nonce").asText());
            String body = v.path("post_body_xml").asText("<xml><Encrypt><![CDATA[" + v.path("encrypt").asText()
                    + "]]></Encrypt></xml>");
            // The vectors are app messages, not kf events: opened and then ignored (200), never refused.
            CallbackResult ok = a.handle(new SignedCallback("POST", q, Map.of(), body.getBytes()).toRequest(clock.instant()));
            assertTrue(ok instanceof CallbackResult.Reply reply && reply.response().status() == 200
                    && reply.reason().startsWith("ignored: text"), v.path("id") + ": " + ok);
            CallbackResult bad = a.handle(new SignedCallback("POST", Map.of("msg_signature", flipLast(v.path("msg_signature")
                    .asText()), "timestamp", v.path("timestamp").asText(), "nonce", v.path("nonce").asText()),
                    Map.of(), body.getBytes()).toRequest(clock.instant()));
            assertTrue(bad instanceof CallbackResult.Reply reply && reply.response().status() == 401, "tampered: " + bad);
            a.close();
        }
    }

    private static String flipLast(String hex) {
        char c = hex.charAt(hex.length() - 1);
        return hex.substring(0, hex.length() - 1) + (c == '0' ? '1' : '0');
    }

    @Test
    public void anEventPullsOnlyTheCustomersMessages() throws Exception {
        api.customerWrites(KF, "wmCustomer1", "怎么退货？");
        api.servicerWrites(KF, "wmCustomer2", "zhangsan", "您好");
        eventAndWait();
        assertEquals(sink.texts(), List.of("怎么退货？"), "only origin 3 is answered");
        InboundMessage m = sink.accepted.getFirst();
        assertEquals(m.kind(), MessageKind.TEXT);
        assertEquals(m.senderId(), "wmCustomer1");
        assertEquals(m.replyTo(), new ReplyTo.WeComKfCustomer(KF, "wmCustomer1", ""));
        Recorded sync = api.server().requests("/cgi-bin/kf/sync_msg").getFirst();
        assertEquals(sync.json().path("open_kfid").asText(), KF);
        assertFalse(sync.json().path("token").asText().isEmpty(), "the event's token is passed");
        assertEquals(sink.cursors.get("kf:" + KF), "c2", "the cursor is saved");
    }

    @Test
    public void pagesAreFollowedAndEachCursorSavedAfterItsMessages() throws Exception {
        api.pageSize(2);
        for (int i = 1; i <= 5; i++) {
            api.customerWrites(KF, "wmC" + i, "q" + i);
        }
        eventAndWait();
        assertEquals(sink.texts(), List.of("q1", "q2", "q3", "q4", "q5"));
        List<String> cursors = api.server().requests("/cgi-bin/kf/sync_msg").stream()
                .map(r -> r.json().path("cursor").asText("")).toList();
        assertEquals(cursors, List.of("", "c2", "c4"), "each page starts at the last page's next_cursor");
        api.customerWrites(KF, "wmC6", "q6");
        eventAndWait();
        assertEquals(api.server().requests("/cgi-bin/kf/sync_msg").getLast().json().path("cursor").asText(), "c5",
                "the next event starts from the saved cursor");
        assertEquals(sink.texts().getLast(), "q6");
        assertEquals(sink.texts().size(), 6, "nothing replayed");
    }

    @Test
    public void eventsDuringASyncMergeIntoItAndNeverRunTwoSyncsAtOnce() throws Exception {
        api.syncDelay(Duration.ofMillis(400));
        api.customerWrites(KF, "wmC1", "first");
        event(api.newEventToken());
        api.customerWrites(KF, "wmC1", "second");
        for (int i = 0; i < 4; i++) {
            event(api.newEventToken());
        }
        assertTrue(adapter.awaitSyncs(Duration.ofSeconds(20)));
        assertEquals(api.maxConcurrentSyncs(), 1, "one sync at a time per account");
        assertEquals(sink.texts(), List.of("first", "second"));
        assertTrue(api.server().requests("/cgi-bin/kf/sync_msg").size() <= 2,
                "five events, at most two syncs: " + api.server().requests("/cgi-bin/kf/sync_msg").size());
    }

    @Test
    public void sendCarriesAnIdDerivedFromTheCustomersMessageAndARetryIsDeliveredOnce() throws Exception {
        api.customerWrites(KF, "wmC1", "hello");
        eventAndWait();
        InboundMessage m = sink.accepted.getFirst();
        api.delayNextSendAnswer(Duration.ofSeconds(3)); // delivered, but the answer comes after the client's timeout
        adapter.send(m, OutboundText.of("您好！"));
        adapter.send(m, OutboundText.of("您好！")); // the gateway's own retry, e.g. after a restart
        List<Recorded> sends = api.server().requests("/cgi-bin/kf/send_msg");
        assertTrue(sends.size() >= 3, "timed out once, retried, sent again: " + sends.size());
        String id = sends.getFirst().json().path("msgid").asText();
        assertTrue(id.matches("[0-9A-Za-z_-]{1,32}"), "msgid within WeCom's rule: " + id);
        assertTrue(sends.stream().allMatch(r -> r.json().path("msgid").asText().equals(id)), "same msgid every time");
        assertEquals(api.textsTo("wmC1"), List.of("您好！"), "delivered once");
        assertEquals(KfMsgIds.derive(m.messageId(), 0), id);
        assertFalse(KfMsgIds.derive(m.messageId(), 1).equals(id), "another part, another id");
    }

    @Test
    public void errcode95018IsARefusalThatSaysWhy() throws Exception {
        api.customerWrites(KF, "wmC1", "hello");
        eventAndWait();
        api.state("wmC1", 3);
        SendException e = expectThrows(SendException.class,
                () -> adapter.send(sink.accepted.getFirst(), OutboundText.of("answer")));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("95018") && e.getMessage().contains("session"), e.getMessage());
        assertTrue(adapter.heldByHuman(KF, "wmC1"), "the bot stays silent for this customer");
    }

    @Test
    public void atMostFiveMessagesFollowOneCustomerMessage() throws Exception {
        api.customerWrites(KF, "wmC1", "long question");
        eventAndWait();
        InboundMessage m = sink.accepted.getFirst();
        String longAnswer = "很长的回答。".repeat(2000); // ~36 KB: more than 5 parts of 2000 bytes
        SendException e = expectThrows(SendException.class, () -> adapter.send(m, OutboundText.of(longAnswer)));
        assertTrue(e.getMessage().contains("at most 5 messages within 48 h"), e.getMessage());
        assertEquals(api.textsTo("wmC1").size(), 5, "five went out, the sixth was held back");
        api.customerWrites(KF, "wmC1", "again");
        eventAndWait();
        adapter.send(sink.accepted.getLast(), OutboundText.of("short"));
        assertEquals(api.textsTo("wmC1").getLast(), "short", "a new customer message opens the quota again");
    }

    @Test
    public void enterSessionIsWelcomedWithItsCode() throws Exception {
        String code = api.customerEnters(KF, "wmNew");
        eventAndWait();
        InboundMessage m = sink.accepted.getFirst();
        assertEquals(m.kind(), MessageKind.WELCOME);
        adapter.send(m, OutboundText.of("欢迎光临！"));
        Recorded r = api.server().requests("/cgi-bin/kf/send_msg_on_event").getFirst();
        assertEquals(r.json().path("code").asText(), code);
        assertEquals(api.textsTo("wmNew"), List.of("欢迎光临！"));
        assertTrue(api.server().requests("/cgi-bin/kf/send_msg").isEmpty(), "the welcome uses its own call");
    }

    @Test
    public void transferToAServicerSilencesTheBotUntilTheSessionEnds() throws Exception {
        api.customerWrites(KF, "wmC1", "人工");
        eventAndWait();
        adapter.transfer(KF, "wmC1", Optional.of("zhangsan"));
        Recorded trans = api.server().requests("/cgi-bin/kf/service_state/trans").getFirst();
        assertEquals(trans.json().path("service_state").asInt(), 3);
        assertEquals(trans.json().path("servicer_userid").asText(), "zhangsan");
        assertEquals(adapter.serviceState(KF, "wmC1"), new WeComKfAdapter.KfServiceState(3, "zhangsan"));
        api.servicerWrites(KF, "wmC1", "zhangsan", "您好，我是张三");
        String during = api.customerWrites(KF, "wmC1", "我的订单呢");
        eventAndWait();
        assertEquals(sink.texts(), List.of("人工"), "nothing answered while the servicer holds the session");
        assertTrue(sink.recordedOnly.get(during).contains("zhangsan"), "recorded with why: " + sink.recordedOnly);
        api.servicerEnds(KF, "wmC1", "zhangsan");
        api.customerWrites(KF, "wmC1", "还有一个问题");
        eventAndWait();
        assertEquals(sink.texts(), List.of("人工", "还有一个问题"), "answered again once the session ended");
        assertFalse(adapter.heldByHuman(KF, "wmC1"));
    }

    @Test
    public void aHandoffIsKeptThroughTheSinkAcrossANewAdapter() throws Exception {
        adapter.transfer(KF, "wmC7", Optional.of("lisi"));
        adapter.close();
        adapter = new WeComKfAdapter("kf", config(api.baseUrl()), clock.options()); // a restart: memory is gone
        adapter.start(sink);
        assertTrue(adapter.heldByHuman(KF, "wmC7"), "the handoff was restored from the durable store");
        String during = api.customerWrites(KF, "wmC7", "在吗");
        eventAndWait();
        assertTrue(sink.recordedOnly.containsKey(during), "not answered after the restart either");
    }

    @Test
    public void transferWithoutAServicerGoesToThePool() {
        adapter.transfer(KF, "wmC9", Optional.empty());
        assertEquals(api.server().requests("/cgi-bin/kf/service_state/trans").getFirst().json()
                .path("service_state").asInt(), 2);
        assertTrue(adapter.heldByHuman(KF, "wmC9"));
    }

    @Test
    public void imagesBecomeUnsupportedAndUnknownAccountsAreIgnored() throws Exception {
        api.customerSendsImage(KF, "wmC1");
        eventAndWait();
        assertEquals(sink.accepted.getFirst().kind(), MessageKind.UNSUPPORTED);
        CallbackResult other = adapter.handle(callbacks.event("wkOther", "T", clock.instant()).toRequest(clock.instant()));
        assertTrue(other instanceof CallbackResult.Reply r && r.reason().contains("not configured"), "" + other);
    }

    @Test
    public void configTakesOneAccountOrAList() {
        WeComKfConfig list = WeComKfConfig.from(Map.of("corp-id", CORP, "secret", SECRET, "token", TOKEN,
                "encoding-aes-key", KEY, "open-kfid.0", "wkA", "open-kfid.1", "wkB"));
        assertEquals(list.openKfIds(), List.of("wkA", "wkB"));
        assertEquals(WeComKfConfig.from(Map.of("corp-id", CORP, "secret", SECRET, "token", TOKEN, "encoding-aes-key",
                KEY, "open-kfid", "wkA, wkB")).openKfIds(), List.of("wkA", "wkB"));
        ConfigException e = expectThrows(ConfigException.class, () -> WeComKfConfig.from(Map.of("corp-id", CORP,
                "secret", SECRET, "token", TOKEN, "encoding-aes-key", KEY)));
        assertEquals(e.key(), "wecom-kf.open-kfid");
        assertFalse(list.toString().contains(SECRET), "no secret in toString");
        try {
            WeComKfConfig.from(Map.of("corp-id", CORP, "secret", SECRET, "token", TOKEN, "encoding-aes-key", KEY,
                    "open-kfid", "wkA", "agent-id", "1"));
            fail("an unknown key is refused");
        } catch (ConfigException expected) {
            assertEquals(expected.key(), "wecom-kf.agent-id");
        }
    }
}

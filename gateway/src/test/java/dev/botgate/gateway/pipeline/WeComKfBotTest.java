package dev.botgate.gateway.pipeline;

import static dev.botgate.gateway.TestGateway.waitFor;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wecomkf.FakeWeComKfApi;
import dev.botgate.adapters.wecomkf.WeComKfAdapter;
import dev.botgate.adapters.wecomkf.WeComKfCallbacks;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/**
 * 微信客服 end to end over real HTTP: signed, encrypted {@code kf_msg_or_event} callbacks posted to a running gateway,
 * which pulls from a fake kf API speaking the real JSON, answers through the same pipeline and record as every
 * channel (the bot has no knowledge base, so it answers with its fallback text), and keeps its cursor across a
 * restart.
 */
public class WeComKfBotTest {
    private static final String CORP = "ww1234567890abcdef";
    private static final String SECRET = "kf-app-secret";
    private static final String TOKEN = "kftoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final String KF = "wkKf0001";
    private static final String ANSWER = "您好，客服机器人已收到。";
    private FakeWeComKfApi api;
    private TestGateway gw;
    private final WeComKfCallbacks signer = new WeComKfCallbacks(TOKEN, AES, CORP);

    @BeforeMethod
    public void start() throws Exception {
        api = FakeWeComKfApi.start(CORP, SECRET);
        gw = TestGateway.start(config(), Map.of("KF_SECRET", SECRET));
    }

    private String config() {
        return """
                bots:
                  - id: kf
                    channel: wecom-kf
                    welcome: "欢迎光临"
                    fallback: "%s"
                    wecom-kf:
                      corp-id: %s
                      secret: "${KF_SECRET}"
                      token: %s
                      encoding-aes-key: %s
                      open-kfid: [%s]
                      api-base: "%s"
                """.formatted(ANSWER, CORP, TOKEN, AES, KF, api.baseUrl());
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
        api.close();
    }

    private HttpResponse<String> post(SignedCallback c) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/hooks/wecom-kf/kf?" + c.queryString()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach(b::header);
        return gw.send(b.build());
    }

    private void event() {
        HttpResponse<String> r = post(signer.event(KF, api.newEventToken(), Instant.now()));
        assertEquals(r.statusCode(), 200, r.body());
        assertEquals(r.body(), "", "acknowledged with an empty 200");
    }

    private MessageLog.Entry record(String msgId) {
        return gw.botgate().parts().log().recent(Optional.empty(), 100).stream()
                .filter(e -> e.platformId().equals(msgId)).findFirst()
                .orElseThrow(() -> new AssertionError("no record of " + msgId));
    }

    private void settle() throws InterruptedException {
        WeComKfAdapter a = (WeComKfAdapter) gw.botgate().parts().bots().adapters().get("kf");
        assertTrue(a.awaitSyncs(Duration.ofSeconds(20)), "syncs finished");
        waitFor(() -> gw.botgate().parts().workers().active() == 0, "answers finished");
    }

    @Test
    public void urlVerificationIsAnswered() {
        SignedCallback get = signer.urlVerification("echo-123", Instant.now());
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/hooks/wecom-kf/kf?" + get.queryString()))
                .GET().build());
        assertEquals(r.statusCode(), 200);
        assertEquals(r.body(), "echo-123");
    }

    @Test
    public void oneMessageIsAnsweredOnceWhateverTheEventsDo() throws Exception {
        api.syncDelay(Duration.ofMillis(300));
        String msgId = api.customerWrites(KF, "wmCustomer", "你好");
        SignedCallback c = signer.event(KF, api.newEventToken(), Instant.now());
        assertEquals(post(c).statusCode(), 200);
        assertEquals(post(c).statusCode(), 200, "the same event again");
        event(); // a second event for the same sync
        waitFor(() -> !api.textsTo("wmCustomer").isEmpty(), "answer sent");
        settle();
        event(); // and one after it: nothing new to pull
        settle();
        assertEquals(api.textsTo("wmCustomer"), List.of(ANSWER), "one answer");
        assertEquals(api.maxConcurrentSyncs(), 1, "one sync at a time");
        assertEquals(record(msgId).state(), MessageLog.State.ANSWERED);
        assertEquals(record(msgId).channel(), "wecom-kf");
    }

    @Test
    public void theCursorSurvivesARestart() throws Exception {
        api.customerWrites(KF, "wmA", "第一个问题");
        event();
        waitFor(() -> api.textsTo("wmA").size() == 1, "first answer");
        settle();
        Path home = gw.home();
        gw.close();
        gw = null;
        String second = api.customerWrites(KF, "wmA", "第二个问题");
        gw = TestGateway.startIn(home, config(), Map.of("KF_SECRET", SECRET));
        api.server().clear();
        event();
        waitFor(() -> api.textsTo("wmA").size() == 2, "second answer");
        settle();
        assertEquals(api.server().requests("/cgi-bin/kf/sync_msg").getFirst().json().path("cursor").asText(), "c1",
                "the sync after the restart starts at the saved cursor");
        assertEquals(api.textsTo("wmA").size(), 2, "the first message was not answered again");
        assertEquals(record(second).state(), MessageLog.State.ANSWERED);
        assertTrue(Files.exists(home.resolve("messages.db")));
    }

    @Test
    public void aHandoffSurvivesARestart() throws Exception {
        ((WeComKfAdapter) gw.botgate().parts().bots().adapters().get("kf")).transfer(KF, "wmH", Optional.empty());
        Path home = gw.home();
        gw.close();
        gw = null;
        String during = api.customerWrites(KF, "wmH", "有人吗");
        gw = TestGateway.startIn(home, config(), Map.of("KF_SECRET", SECRET));
        event();
        settle();
        assertEquals(record(during).policy(), "human", "still with the servicers' pool after the restart");
        assertTrue(api.textsTo("wmH").isEmpty(), "the bot stayed silent");
    }

    @Test
    public void aRefusedSendIsRecordedWithWhy() throws Exception {
        String msgId = api.customerWrites(KF, "wmB", "在吗");
        api.state("wmB", 2); // waiting in the servicers' pool: the bot may not send
        event();
        waitFor(() -> gw.botgate().parts().log().recent(Optional.empty(), 100).stream()
                .anyMatch(e -> e.platformId().equals(msgId) && e.state() == MessageLog.State.FAILED), "send refused");
        assertTrue(record(msgId).lastError().contains("95018"), record(msgId).lastError());
        assertTrue(api.textsTo("wmB").isEmpty());
    }

    @Test
    public void enterSessionGetsTheWelcome() throws Exception {
        api.customerEnters(KF, "wmNew");
        event();
        waitFor(() -> !api.textsTo("wmNew").isEmpty(), "welcome sent");
        assertEquals(api.textsTo("wmNew"), List.of("欢迎光临"));
        assertEquals(api.server().requests("/cgi-bin/kf/send_msg_on_event").size(), 1);
    }

    @Test
    public void aTransferToAServicerSilencesTheBotUntilTheSessionComesBack() throws Exception {
        api.customerWrites(KF, "wmC", "转人工");
        event();
        waitFor(() -> api.textsTo("wmC").size() == 1, "first answer");
        settle();
        HttpResponse<String> t = gw.post("/admin/kf/kf/sessions/" + KF + "/wmC/transfer", "{\"servicer\":\"zhangsan\"}");
        assertEquals(t.statusCode(), 200, t.body());
        assertEquals(api.state("wmC"), 3, "the platform has the session with the servicer");
        HttpResponse<String> state = gw.get("/admin/kf/kf/sessions/" + KF + "/wmC");
        assertEquals(state.statusCode(), 200, state.body());
        assertTrue(state.body().contains("\"state\":3") && state.body().contains("\"bot_answers\":false"),
                state.body());
        assertEquals(gw.get("/admin/kf/nobot/sessions/" + KF + "/wmC").statusCode(), 404);
        api.servicerWrites(KF, "wmC", "zhangsan", "您好，我是张三");
        String during = api.customerWrites(KF, "wmC", "我的订单");
        event();
        settle();
        assertEquals(api.textsTo("wmC").size(), 1, "the bot is silent while the servicer holds the session");
        assertEquals(record(during).policy(), "human");
        assertTrue(record(during).lastError().contains("zhangsan"), record(during).lastError());
        api.servicerEnds(KF, "wmC", "zhangsan");
        api.customerWrites(KF, "wmC", "谢谢");
        event();
        waitFor(() -> api.textsTo("wmC").size() == 2, "answered again after the session came back");
    }
}

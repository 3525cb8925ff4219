package dev.botgate.gateway.pipeline;

import static dev.botgate.gateway.TestGateway.waitFor;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wecomaibot.FakeAiBotServer;
import dev.botgate.adapters.wecomaibot.WeComAiBotCallbacks;
import dev.botgate.gateway.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The 智能机器人 end to end: encrypted JSON callbacks over real HTTP, answered by the real engine (the tiny model)
 * through the stream protocol; and a long-connection bot against a local WebSocket stand-in of WeCom, through the
 * same pipeline, record and dedupe.
 */
public class WeComAiBotTest {
    private static final String TOKEN = "aibottoken";
    private static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private static final String WS_BOT = "aib-ws-bot";
    private static final String WS_SECRET = "aib-ws-secret";
    private final WeComAiBotCallbacks signer = new WeComAiBotCallbacks(TOKEN, AES);
    private FakeAiBotServer wecom;
    private TestGateway gw;

    @BeforeClass
    public void start() throws Exception {
        wecom = FakeAiBotServer.start(WS_BOT, WS_SECRET);
        gw = TestGateway.start("""
                bots:
                  - id: helper
                    channel: wecom-aibot
                    model: tiny
                    wecom-aibot: { token: %s, encoding-aes-key: %s }
                  - id: intranet
                    channel: wecom-aibot
                    fallback: "内网机器人收到"
                    wecom-aibot: { mode: long-connection, bot-id: %s, secret: "${AIBOT_SECRET}", ws-url: "%s" }
                """.formatted(TOKEN, AES, WS_BOT, wecom.url()), Map.of("AIBOT_SECRET", WS_SECRET));
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
        if (wecom != null) {
            wecom.close();
        }
    }

    private JsonNode post(JsonNode message) {
        SignedCallback c = signer.post(message, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/hooks/wecom-aibot/helper?" + c.queryString()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach(b::header);
        HttpResponse<String> r = gw.send(b.build());
        assertEquals(r.statusCode(), 200, r.body());
        return signer.open(r.body());
    }

    private List<MessageLog.Entry> records(String msgId) {
        return gw.botgate().parts().log().recent(Optional.empty(), 200).stream()
                .filter(e -> e.platformId().equals(msgId)).toList();
    }

    @Test
    public void aGroupMentionIsStreamedUntilFinishedAndARetryJoinsTheStream() throws Exception {
        JsonNode msg = WeComAiBotCallbacks.text("AIMSG1", "wrGroup", "lisi", "@助手 介绍一下公司", "");
        JsonNode first = post(msg);
        assertEquals(first.path("msgtype").asText(), "stream");
        String id = first.path("stream").path("id").asText();
        assertFalse(id.isEmpty());
        JsonNode retry = post(msg); // WeCom re-delivers the user's message
        assertEquals(retry.path("stream").path("id").asText(), id, "the retry joins the stream in progress");
        List<String> contents = new ArrayList<>(List.of(first.path("stream").path("content").asText()));
        JsonNode last = retry;
        long end = System.nanoTime() + 60_000_000_000L;
        while (!last.path("stream").path("finish").asBoolean()) {
            assertTrue(System.nanoTime() < end, "the stream finished within a minute");
            Thread.sleep(100);
            last = post(WeComAiBotCallbacks.refresh(id));
            assertEquals(last.path("stream").path("id").asText(), id);
            contents.add(last.path("stream").path("content").asText());
        }
        for (int i = 1; i < contents.size(); i++) {
            assertTrue(contents.get(i).startsWith(contents.get(i - 1).strip()) || contents.get(i - 1).isEmpty(),
                    "each refresh shows the answer so far, growing: " + contents);
        }
        waitFor(() -> records("AIMSG1").stream().anyMatch(e -> e.state() == MessageLog.State.ANSWERED), "recorded");
        MessageLog.Entry e = records("AIMSG1").getFirst();
        assertEquals(records("AIMSG1").size(), 1, "one record for two deliveries");
        assertEquals(e.text(), "介绍一下公司", "the @-prefix is not part of the question");
        assertEquals(e.conversation(), "group:wrGroup:lisi");
        assertEquals(last.path("stream").path("content").asText(), e.answer(), "the final refresh is the answer");
    }

    @Test
    public void urlVerificationIsAnswered() {
        SignedCallback get = signer.urlVerification("aibot-echo", Instant.now());
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/hooks/wecom-aibot/helper?"
                + get.queryString())).GET().build());
        assertEquals(r.statusCode(), 200);
        assertEquals(r.body(), "aibot-echo");
    }

    @Test
    public void theLongConnectionGoesThroughTheSamePipelineRecordAndDedupe() throws Exception {
        waitFor(() -> wecom.subscriptions() >= 1, "subscribed");
        JsonNode msg = WeComAiBotCallbacks.text("WSMSG1", "", "wangwu", "你好", "");
        String req = wecom.push(msg);
        String again = wecom.push(msg); // the same message pushed twice
        waitFor(() -> wecom.responses(req).stream().anyMatch(f -> f.path("body").path("stream").path("finish")
                .asBoolean()), "answered");
        JsonNode last = wecom.responses(req).getLast();
        assertEquals(last.path("body").path("stream").path("content").asText(), "内网机器人收到");
        waitFor(() -> records("WSMSG1").stream().anyMatch(e -> e.state() == MessageLog.State.ANSWERED), "recorded");
        Thread.sleep(300);
        assertTrue(wecom.responses(again).isEmpty(), "the duplicate is not answered twice");
        assertEquals(records("WSMSG1").size(), 1);
        assertEquals(records("WSMSG1").getFirst().channel(), "wecom-aibot");
        wecom.drop();
        waitFor(() -> wecom.subscriptions() >= 2, "re-subscribed after a drop");
        String after = wecom.push(WeComAiBotCallbacks.text("WSMSG2", "", "wangwu", "还在吗", ""));
        waitFor(() -> wecom.responses(after).stream().anyMatch(f -> f.path("body").path("stream").path("finish")
                .asBoolean()), "answered after the reconnect");
    }
}

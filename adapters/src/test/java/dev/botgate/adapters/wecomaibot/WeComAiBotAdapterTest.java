package dev.botgate.adapters.wecomaibot;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** The 智能机器人 adapter in callback mode: the JSON-envelope crypto, messages, and the stream protocol. */
public class WeComAiBotAdapterTest {
    static final String TOKEN = "aibottoken";
    static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private TestClock clock;
    private WeComAiBotAdapter adapter;
    private WeComAiBotCallbacks callbacks;
    private FakeApiServer responses;

    @BeforeMethod
    public void start() {
        clock = new TestClock(Instant.now());
        adapter = new WeComAiBotAdapter("ai", config(TOKEN, KEY), clock.options(), Duration.ofMillis(300),
                AiBotConnection.Timing.defaults());
        callbacks = new WeComAiBotCallbacks(TOKEN, KEY);
        responses = FakeApiServer.start(r -> FakeApiServer.Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\"}"));
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        adapter.close();
        responses.close();
    }

    static WeComAiBotConfig config(String token, String key) {
        return WeComAiBotConfig.from(Map.of("token", token, "encoding-aes-key", key));
    }

    private String responseUrl(String code) {
        return responses.baseUrl() + "/cgi-bin/aibot/response?response_code=" + code;
    }

    private CallbackResult handle(JsonNode message) {
        return adapter.handle(callbacks.post(message, clock.instant()).toRequest(clock.instant()));
    }

    private InboundMessage inbound(CallbackResult r) {
        if (r instanceof CallbackResult.Inbound in) {
            return in.message();
        }
        fail("expected a message, got " + r);
        throw new AssertionError();
    }

    /** What WeCom sees as the first reply to a message callback. */
    private JsonNode firstReply(CallbackResult r) {
        HttpReply reply = adapter.acknowledge((CallbackResult.Inbound) r, HttpReply.text(200, ""));
        assertEquals(reply.status(), 200);
        return callbacks.open(reply.bodyText());
    }

    private JsonNode refresh(String streamId) {
        CallbackResult r = handle(WeComAiBotCallbacks.refresh(streamId));
        assertTrue(r instanceof CallbackResult.Reply, "a refresh is answered at once: " + r);
        return callbacks.open(((CallbackResult.Reply) r).response().bodyText());
    }

    @Test
    public void officialJsonCallbackVectorVerifiesAndDecryptsWithTheEmptyReceiveId() {
        JsonNode v = Vectors.of("wecom", "decrypt_post_json").getFirst();
        clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
        WeComAiBotAdapter a = new WeComAiBotAdapter("ai", config(v.path("token").asText(),
                v.path("encoding_aes_key").asText()), clock.options());
        Map<String, String> q = Map.of("msg_signature", v.path("msg_signature").asText(), "timestamp",
                v.path("timestamp").asText(), "nonce", v.path("nonce").asText());
        byte[] body = v.path("post_body_json").asText().getBytes();
        // The vector is an app message (no msgid/from.userid of an AI bot): decrypted, then ignored, never refused.
        CallbackResult ok = a.handle(new SignedCallback("POST", q, Map.of(), body).toRequest(clock.instant()));
        assertTrue(ok instanceof CallbackResult.Reply r && r.response().status() == 200, "opened: " + ok);
        String sig = v.path("msg_signature").asText();
        CallbackResult bad = a.handle(new SignedCallback("POST", Map.of("msg_signature",
                sig.substring(0, 39) + (sig.endsWith("0") ? "1" : "0"), "timestamp", v.path("timestamp").asText(),
                "nonce", v.path("nonce").asText()), Map.of(), body).toRequest(clock.instant()));
        assertTrue(bad instanceof CallbackResult.Reply r && r.response().status() == 401, "tampered: " + bad);
        a.close();
    }

    @Test
    public void officialUrlVerificationVectorsAreAnswered() {
        for (JsonNode v : Vectors.of("wecom", "url_verification_get")) {
            clock.set(Instant.ofEpochSecond(v.path("timestamp").asLong()));
            WeComAiBotAdapter a = new WeComAiBotAdapter("ai", config(v.path("token").asText(),
                    v.path("encoding_aes_key").asText()), clock.options());
            CallbackResult r = a.handle(new SignedCallback("GET", Map.of("msg_signature",
                    v.path("msg_signature").asText(), "timestamp", v.path("timestamp").asText(), "nonce",
                    v.path("nonce").asText(), "echostr", v.path("echostr").asText()), Map.of(), new byte[0])
                    .toRequest(clock.instant()));
            assertTrue(r instanceof CallbackResult.Reply reply
                    && reply.response().bodyText().equals(v.path("expected_plaintext").asText()), v.path("id") + ": " + r);
            a.close();
        }
    }

    @Test
    public void aGroupMentionIsStreamedOverSeveralRefreshesAndFinished() throws Exception {
        CallbackResult r = handle(WeComAiBotCallbacks.text("MSG1", "wrGroup1", "lisi", "@小助手 怎么报销？",
                responseUrl("C1")));
        InboundMessage m = inbound(r);
        assertEquals(m.text(), "怎么报销？", "the @-prefix is stripped");
        assertEquals(m.conversationKey(), "group:wrGroup1:lisi", "a group conversation is per member");
        ReplyStream stream = adapter.open(m);
        stream.update("报销");
        JsonNode first = firstReply(r);
        assertEquals(first.path("msgtype").asText(), "stream");
        String id = first.path("stream").path("id").asText();
        assertFalse(id.isEmpty());
        assertFalse(first.path("stream").path("finish").asBoolean(), "a model answer is still being written");
        assertEquals(first.path("stream").path("content").asText(), "报销");
        stream.update("报销请在");
        assertEquals(refresh(id).path("stream").path("content").asText(), "报销请在");
        stream.update("报销请在OA提交");
        JsonNode second = refresh(id);
        assertEquals(second.path("stream").path("content").asText(), "报销请在OA提交");
        assertFalse(second.path("stream").path("finish").asBoolean());
        stream.finish(new OutboundText("报销请在OA提交。", List.of("财务制度"), "来源"));
        JsonNode last = refresh(id);
        assertTrue(last.path("stream").path("finish").asBoolean(), "finished");
        assertEquals(last.path("stream").path("content").asText(), "报销请在OA提交。\n\n来源: 财务制度");
        assertTrue(responses.requests().isEmpty(), "the refreshes carried it: no response_url call");
    }

    @Test
    public void aKnowledgeAnswerFinishesInTheFirstReply() {
        CallbackResult r = handle(WeComAiBotCallbacks.text("MSG2", "", "lisi", "营业时间", responseUrl("C2")));
        InboundMessage m = inbound(r);
        assertEquals(m.conversationKey(), "user:lisi");
        CompletableFuture.runAsync(() -> adapter.open(m).finish(OutboundText.of("9点到18点。")));
        JsonNode first = firstReply(r);
        assertTrue(first.path("stream").path("finish").asBoolean(), "finished in the first reply: " + first);
        assertEquals(first.path("stream").path("content").asText(), "9点到18点。");
    }

    @Test
    public void aRetriedMessageJoinsTheStreamInProgress() {
        ObjectNode msg = WeComAiBotCallbacks.text("MSG3", "wrG", "wangwu", "@bot 发票", responseUrl("C3"));
        CallbackResult r1 = handle(msg);
        InboundMessage m = inbound(r1);
        ReplyStream stream = adapter.open(m);
        stream.update("电子发票");
        String id = firstReply(r1).path("stream").path("id").asText();
        CallbackResult r2 = handle(msg); // WeCom re-delivers the same message
        assertEquals(inbound(r2).messageId(), m.messageId(), "same dedupe key");
        JsonNode again = firstReply(r2);
        assertEquals(again.path("stream").path("id").asText(), id, "the retry gets the same stream");
        assertEquals(again.path("stream").path("content").asText(), "电子发票");
    }

    @Test
    public void anAnswerPastTheWindowGoesOnceThroughResponseUrl() {
        CallbackResult r = handle(WeComAiBotCallbacks.text("MSG4", "", "lisi", "长问题", responseUrl("C4")));
        InboundMessage m = inbound(r);
        ReplyStream stream = adapter.open(m);
        stream.update("思考中");
        firstReply(r);
        clock.advance(Duration.ofMinutes(7));
        stream.finish(OutboundText.of("最终答案"));
        List<FakeApiServer.Recorded> calls = responses.requests("/cgi-bin/aibot/response");
        assertEquals(calls.size(), 1, "one call");
        assertEquals(calls.getFirst().query().get("response_code"), "C4");
        assertEquals(calls.getFirst().json().path("msgtype").asText(), "markdown");
        assertEquals(calls.getFirst().json().path("markdown").path("content").asText(), "最终答案");
    }

    @Test
    public void aRefusedResponseUrlIsPermanentAndNotRepeated() {
        responses.enqueue("/cgi-bin/aibot/response", FakeApiServer.Canned.json(200,
                "{\"errcode\":600039,\"errmsg\":\"response_code used\"}"));
        CallbackResult r = handle(WeComAiBotCallbacks.text("MSG5", "", "lisi", "q", responseUrl("C5")));
        InboundMessage m = inbound(r);
        clock.advance(Duration.ofMinutes(7));
        SendException e = expectThrows(SendException.class, () -> adapter.open(m).finish(OutboundText.of("a")));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("600039"), e.getMessage());
        assertEquals(responses.requests().size(), 1);
    }

    @Test
    public void mixedQuotesImagesAndEnterChat() {
        ObjectNode mixed = WeComAiBotCallbacks.message("MSG6", "", "lisi", responseUrl("C6"));
        mixed.put("msgtype", "mixed");
        var items = mixed.putObject("mixed").putArray("msg_item");
        items.addObject().put("msgtype", "text").putObject("text").put("content", "这张图是什么");
        items.addObject().put("msgtype", "image").putObject("image").put("url", "https://example/img");
        assertEquals(inbound(handle(mixed)).text(), "这张图是什么");
        ObjectNode image = WeComAiBotCallbacks.message("MSG7", "", "lisi", responseUrl("C7"));
        image.put("msgtype", "image").putObject("image").put("url", "https://example/img");
        assertEquals(inbound(handle(image)).kind(), MessageKind.UNSUPPORTED);
        ObjectNode quoted = WeComAiBotCallbacks.text("MSG8", "wrG", "lisi", "@bot 这个呢", responseUrl("C8"));
        quoted.putObject("quote").put("msgtype", "text").putObject("text").put("content", "报销流程");
        assertEquals(inbound(handle(quoted)).text(), "「报销流程」\n这个呢");
        ObjectNode enter = WeComAiBotCallbacks.message("MSG9", "", "lisi", "");
        enter.put("msgtype", "event").putObject("event").put("eventtype", "enter_chat");
        CallbackResult r = handle(enter);
        InboundMessage welcome = inbound(r);
        assertEquals(welcome.kind(), MessageKind.WELCOME);
        CompletableFuture.runAsync(() -> adapter.open(welcome).finish(OutboundText.of("你好！")));
        JsonNode reply = firstReply(r);
        assertEquals(reply.path("msgtype").asText(), "text");
        assertEquals(reply.path("text").path("content").asText(), "你好！");
        assertTrue(welcome.replyTo() instanceof ReplyTo.WeComAiBotChat);
    }

    @Test
    public void badRequestsAreRefusedAndConfigIsChecked() {
        SignedCallback c = callbacks.post(WeComAiBotCallbacks.text("M", "", "u", "x", ""), clock.instant());
        CallbackResult tampered = adapter.handle(c.withBody("{\"encrypt\":\"AAAA\"}").toRequest(clock.instant()));
        assertTrue(tampered instanceof CallbackResult.Reply r && r.refused(), "" + tampered);
        CallbackResult junk = adapter.handle(c.withBody("not json").toRequest(clock.instant()));
        assertTrue(junk instanceof CallbackResult.Reply r && r.response().status() == 400, "" + junk);
        ConfigException e = expectThrows(ConfigException.class, () -> WeComAiBotConfig.from(Map.of("mode",
                "long-connection", "bot-id", "B")));
        assertEquals(e.key(), "wecom-aibot.secret");
        assertEquals(expectThrows(ConfigException.class, () -> WeComAiBotConfig.from(Map.of("token", "t",
                "encoding-aes-key", "short"))).key(), "wecom-aibot.encoding-aes-key");
        assertFalse(WeComAiBotConfig.from(Map.of("mode", "long-connection", "bot-id", "B", "secret", "S3CRET"))
                .toString().contains("S3CRET"));
    }
}

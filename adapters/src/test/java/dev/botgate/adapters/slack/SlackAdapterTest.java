package dev.botgate.adapters.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ConfigException;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.TestClock;
import dev.botgate.adapters.Vectors;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

/** The Slack adapter against signed events and a fake Slack Web API over real HTTP. */
public class SlackAdapterTest {
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TOKEN = "xoxb-1234-5678-secretpart";
    static final String BOT = "U0BOTGATE";
    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    private FakeSlackApi api;
    private TestClock clock;
    private SlackAdapter adapter;
    private final SlackCallbacks slack = new SlackCallbacks(SECRET);

    @BeforeMethod
    public void start() {
        api = FakeSlackApi.start(TOKEN, BOT);
        clock = new TestClock(NOW);
        adapter = new SlackAdapter("helpdesk", new SlackConfig(SECRET, TOKEN, Optional.of(BOT), api.baseUrl()),
                clock.options());
    }

    @AfterMethod(alwaysRun = true)
    public void stop() {
        adapter.close();
        api.close();
    }

    private static InboundMessage inbound(CallbackResult r) {
        if (r instanceof CallbackResult.Inbound in) {
            return in.message();
        }
        fail("expected an inbound message, got " + r);
        throw new AssertionError();
    }

    private static CallbackResult.Reply reply(CallbackResult r) {
        if (r instanceof CallbackResult.Reply rep) {
            return rep;
        }
        fail("expected a reply, got " + r);
        throw new AssertionError();
    }

    private CallbackResult handle(SignedCallback c) {
        return adapter.handle(c.toRequest(clock.instant()));
    }

    @Test
    public void documentedSignatureVector() {
        JsonNode v = Vectors.of("slack", "signature").get(0);
        byte[] body = v.path("raw_body").asText().getBytes(StandardCharsets.UTF_8);
        assertEquals(SlackSignature.sign(v.path("signing_secret").asText(), v.path("timestamp").asText(), body),
                v.path("expected_signature").asText());
        assertTrue(SlackSignature.verify(v.path("signing_secret").asText(), v.path("timestamp").asText(), body,
                v.path("expected_signature").asText()));
        String typo = v.path("signing_secret").asText().substring(0, 31);
        assertFalse(SlackSignature.verify(typo, v.path("timestamp").asText(), body,
                v.path("expected_signature").asText()), "31-character secret must fail");
    }

    @Test
    public void urlVerificationEchoesTheChallenge() throws Exception {
        CallbackResult.Reply r = reply(handle(slack.urlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                NOW)));
        assertEquals(r.response().status(), 200);
        assertEquals(new ObjectMapper().readTree(r.response().bodyText()).path("challenge").asText(),
                "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    }

    @Test
    public void tamperedBodyOrSignatureIsRefusedWith401() {
        SignedCallback good = slack.appMention("Ev1", "C1", "U1", "<@U0BOTGATE> hi", "1.1", "", NOW);
        assertEquals(reply(handle(good.withBody(good.bodyText().replace("hi", "ho")))).response().status(), 401);
        assertEquals(reply(handle(good.withHeader("X-Slack-Signature", "v0=" + "0".repeat(64)))).response().status(),
                401);
        SignedCallback unsigned = new SignedCallback("POST", Map.of(), Map.of(), good.body());
        assertEquals(reply(handle(unsigned)).response().status(), 401, "no signature headers");
    }

    @Test
    public void timestampsOutsideFiveMinutesAreRefusedBothWays() {
        assertEquals(reply(handle(slack.appMention("Ev1", "C1", "U1", "hi", "1.1", "",
                NOW.minus(Duration.ofSeconds(301))))).response().status(), 403, "stale");
        assertEquals(reply(handle(slack.appMention("Ev2", "C1", "U1", "hi", "1.1", "",
                NOW.plus(Duration.ofSeconds(301))))).response().status(), 403, "future");
        inbound(handle(slack.appMention("Ev3", "C1", "U1", "hi", "1.1", "", NOW.minus(Duration.ofSeconds(299)))));
    }

    @Test
    public void malformedJsonIsRefusedWith400() {
        assertEquals(reply(handle(slack.sign("{not json", NOW))).response().status(), 400);
        assertEquals(reply(handle(slack.sign("[1,2]", NOW))).response().status(), 400);
    }

    @Test
    public void appMentionBecomesAThreadedQuestion() {
        CallbackResult r = handle(slack.appMention("Ev42", "C0CHAN", "U0ALICE", "<@U0BOTGATE> how do I return "
                + "an item &amp; get a refund?", "1700000001.000200", "", NOW));
        InboundMessage m = inbound(r);
        assertEquals(m.text(), "how do I return an item & get a refund?", "mention stripped, entities decoded");
        assertEquals(m.messageId(), "Ev42", "event_id is the dedupe key");
        assertEquals(m.conversationKey(), "C0CHAN:U0ALICE", "channel plus sender");
        assertEquals(m.replyTo(), new ReplyTo.SlackThread("C0CHAN", "1700000001.000200"), "reply in a new thread");
        assertFalse(m.retry());
        assertEquals(((CallbackResult.Inbound) r).ack(),
                new dev.botgate.adapters.Ack.Now(dev.botgate.adapters.HttpReply.text(200, "")), "acked with 200");
        InboundMessage inThread = inbound(handle(slack.appMention("Ev43", "C0CHAN", "U0ALICE", "<@U0BOTGATE> more",
                "1700000009.000100", "1700000001.000200", NOW)));
        assertEquals(((ReplyTo.SlackThread) inThread.replyTo()).threadTs(), "1700000001.000200",
                "a mention inside a thread is answered in that thread");
    }

    @Test
    public void directMessageIsAnsweredInTheDm() {
        InboundMessage m = inbound(handle(slack.directMessage("Ev7", "D0DM", "U0BOB", "hello", "1700.1", NOW)));
        assertEquals(m.conversationKey(), "D0DM");
        assertEquals(m.replyTo(), new ReplyTo.SlackThread("D0DM", ""));
        assertEquals(m.kind(), MessageKind.TEXT);
    }

    @Test
    public void retriesAreFlagged() {
        SignedCallback c = slack.directMessage("Ev7", "D0DM", "U0BOB", "hello", "1700.1", NOW);
        InboundMessage retried = inbound(handle(SlackCallbacks.retry(c, 1)));
        assertTrue(retried.retry());
        assertEquals(retried.messageId(), "Ev7", "same dedupe key as the first delivery");
    }

    @Test
    public void ownAndOtherBotsMessagesAreIgnored() {
        assertTrue(reply(handle(slack.directMessage("Ev1", "D0DM", BOT, "echo", "1.1", NOW))).reason()
                .contains("own"));
        ObjectNode botMsg = new ObjectMapper().createObjectNode().put("type", "message").put("channel_type", "im")
                .put("bot_id", "B0OTHER").put("user", "U0OTHERBOT").put("text", "beep").put("ts", "1.2")
                .put("channel", "D0DM");
        assertTrue(reply(handle(slack.event("Ev2", botMsg, NOW))).reason().contains("bot"));
        ObjectNode subtype = botMsg.deepCopy();
        subtype.remove("bot_id");
        subtype.put("subtype", "bot_message");
        assertTrue(reply(handle(slack.event("Ev3", subtype, NOW))).reason().contains("bot"));
        ObjectNode edited = new ObjectMapper().createObjectNode().put("type", "message").put("channel_type", "im")
                .put("subtype", "message_changed").put("channel", "D0DM").put("ts", "1.3");
        assertTrue(reply(handle(slack.event("Ev4", edited, NOW))).reason().contains("subtype"));
        ObjectNode channelMsg = new ObjectMapper().createObjectNode().put("type", "message")
                .put("channel_type", "channel").put("user", "U0ALICE").put("text", "chatter").put("ts", "1.4")
                .put("channel", "C0CHAN");
        assertEquals(reply(handle(slack.event("Ev5", channelMsg, NOW))).response().status(), 200,
                "plain channel messages are left to app_mention");
        assertTrue(api.posted().isEmpty(), "nothing was sent");
    }

    @Test
    public void botUserIdComesFromAuthTestOnce() {
        try (SlackAdapter noId = new SlackAdapter("helpdesk", new SlackConfig(SECRET, TOKEN, Optional.empty(),
                api.baseUrl()), clock.options())) {
            assertTrue(noId.handle(slack.directMessage("Ev1", "D0DM", BOT, "echo", "1.1", NOW).toRequest(NOW))
                    instanceof CallbackResult.Reply, "own message recognised through auth.test");
            InboundMessage m = inbound(noId.handle(slack.appMention("Ev2", "C1", "U1", "<@" + BOT + "> hi", "1.2", "",
                    NOW).toRequest(NOW)));
            assertEquals(m.text(), "hi");
            assertEquals(api.server().requests("/auth.test").size(), 1, "asked once");
        }
    }

    @Test
    public void sendPostsMrkdwnInTheThread() {
        InboundMessage m = inbound(handle(slack.appMention("Ev1", "C0CHAN", "U0ALICE", "<@U0BOTGATE> q", "1.5", "",
                NOW)));
        adapter.send(m, new OutboundText("**Returns** within 7 days, see [policy](https://acme.example/returns).",
                List.of("Returns policy"), "Sources"));
        JsonNode p = api.posted().get(0);
        assertEquals(p.path("channel").asText(), "C0CHAN");
        assertEquals(p.path("thread_ts").asText(), "1.5");
        assertEquals(p.path("text").asText(), "*Returns* within 7 days, see <https://acme.example/returns|policy>."
                + "\n\n_Sources: Returns policy_");
        assertEquals(api.server().requests("/chat.postMessage").get(0).headers().get("Authorization"),
                "Bearer " + TOKEN);
    }

    @Test
    public void rateLimitWaitsTheRetryAfter() {
        InboundMessage m = inbound(handle(slack.directMessage("Ev1", "D0DM", "U0BOB", "q", "1.1", NOW)));
        api.server().enqueue("/chat.postMessage", Canned.tooManyRequests(3, "{\"ok\":false,\"error\":\"ratelimited\"}"));
        adapter.send(m, OutboundText.of("answer"));
        assertEquals(clock.sleeps(), List.of(Duration.ofSeconds(3)), "waited exactly Retry-After");
        assertEquals(api.posted().size(), 1);
        assertEquals(api.server().requests("/chat.postMessage").size(), 2);
    }

    @Test
    public void longRetryAfterIsHandedToTheGateway() {
        InboundMessage m = inbound(handle(slack.directMessage("Ev1", "D0DM", "U0BOB", "q", "1.1", NOW)));
        api.server().enqueue("/chat.postMessage", Canned.tooManyRequests(120, "{\"ok\":false}"));
        SendException e = expectThrows(SendException.class, () -> adapter.send(m, OutboundText.of("answer")));
        assertTrue(e.retryable());
        assertEquals(e.retryAfter(), Optional.of(Duration.ofSeconds(120)));
        assertTrue(clock.sleeps().isEmpty(), "did not block for two minutes");
    }

    @Test
    public void badTokenIsPermanentAndUnhealthy() {
        try (SlackAdapter wrong = new SlackAdapter("helpdesk", new SlackConfig(SECRET, "xoxb-wrong-token",
                Optional.of(BOT), api.baseUrl()), clock.options())) {
            InboundMessage m = inbound(wrong.handle(slack.directMessage("Ev1", "D0DM", "U0BOB", "q", "1.1", NOW)
                    .toRequest(NOW)));
            SendException e = expectThrows(SendException.class, () -> wrong.send(m, OutboundText.of("a")));
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("invalid_auth"));
            assertFalse(e.getMessage().contains("xoxb-wrong-token"), "token must not leak");
            assertFalse(wrong.health().tokenOk());
        }
    }

    @Test
    public void streamEditsAtMostOncePerSecond() {
        InboundMessage m = inbound(handle(slack.appMention("Ev1", "C0CHAN", "U0ALICE", "<@U0BOTGATE> q", "1.5", "",
                NOW)));
        ReplyStream s = adapter.open(m);
        s.update("Re");                       // t=0: posts the first message
        clock.advance(Duration.ofMillis(300));
        s.update("Returns");                  // t=0.3: folded
        clock.advance(Duration.ofMillis(300));
        s.update("Returns are");              // t=0.6: folded
        clock.advance(Duration.ofMillis(500));
        s.update("Returns are free");         // t=1.1: due, edits
        clock.advance(Duration.ofMillis(200));
        s.finish(new OutboundText("Returns are free.", List.of("FAQ"), "Sources")); // t=1.3: waits 0.8 s
        assertEquals(api.posted().size(), 1, "one message");
        assertEquals(api.posted().get(0).path("text").asText(), "Re");
        assertEquals(api.updated().stream().map(j -> j.path("text").asText()).toList(),
                List.of("Returns are free", "Returns are free.\n\n_Sources: FAQ_"));
        assertEquals(clock.sleeps(), List.of(Duration.ofMillis(800)), "final edit waited out the interval");
        String ts = api.updated().get(0).path("ts").asText();
        assertEquals(ts, "1700000000.000100", "edits target the posted message");
    }

    @Test
    public void shortAnswerStreamSendsOnePlainMessage() {
        InboundMessage m = inbound(handle(slack.directMessage("Ev1", "D0DM", "U0BOB", "q", "1.1", NOW)));
        adapter.open(m).finish(OutboundText.of("Direct answer."));
        assertEquals(api.posted().size(), 1);
        assertTrue(api.updated().isEmpty());
    }

    @Test
    public void configErrorsNameTheKey() {
        assertEquals(expectThrows(ConfigException.class, () -> SlackConfig.from(Map.of("signing-secret", "s",
                "bot-token", "xoxp-user"))).getMessage(), "slack.bot-token: must be a bot token starting with xoxb-");
        assertEquals(expectThrows(ConfigException.class, () -> SlackConfig.from(Map.of("bot-token", TOKEN))).key(),
                "slack.signing-secret");
        assertEquals(expectThrows(ConfigException.class, () -> SlackConfig.from(Map.of("signing-secret", "s",
                "bot-token", TOKEN, "api-base", "ftp://x"))).key(), "slack.api-base");
        assertFalse(new SlackConfig(SECRET, TOKEN, Optional.empty(), "https://slack.com/api").toString()
                .contains(TOKEN));
    }
}

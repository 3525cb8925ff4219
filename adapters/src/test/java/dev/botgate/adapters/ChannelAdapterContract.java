package dev.botgate.adapters;

import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

/**
 * What every adapter promises the gateway, checked against each platform's fixture (subclass per platform, e.g.
 * {@code WeComContractTest}). Shared through the test-jar so a new platform gets the same checks.
 */
public abstract class ChannelAdapterContract {
    /** The fixed time of the tests. */
    protected static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    private PlatformFixture fixture;
    private ChannelAdapter adapter;
    private TestClock clock;

    /** A fresh fixture for the platform under test. */
    protected abstract PlatformFixture newFixture();

    @BeforeMethod
    public void startFixture() {
        fixture = newFixture();
        clock = new TestClock(NOW);
        adapter = fixture.newAdapter("contract-bot", clock.options());
    }

    @AfterMethod(alwaysRun = true)
    public void stopFixture() {
        adapter.close();
        fixture.close();
    }

    private InboundMessage accept(SignedCallback c) {
        CallbackResult r = adapter.handle(c.toRequest(NOW));
        if (r instanceof CallbackResult.Inbound in) {
            return in.message();
        }
        fail(fixture.channel() + ": expected an inbound message, got " + r);
        throw new AssertionError();
    }

    private void assertRefused(CallbackRequest request, String what) {
        CallbackResult r;
        try {
            r = adapter.handle(request);
        } catch (RuntimeException e) {
            fail(fixture.channel() + ": handle must not throw for " + what + ": " + e);
            return;
        }
        assertTrue(r instanceof CallbackResult.Reply reply && reply.refused(),
                fixture.channel() + ": " + what + " must be refused with 4xx, got " + r);
    }

    @Test
    public void validTextBecomesAnInboundMessage() {
        InboundMessage m = accept(fixture.text("u1001", "你好，请问营业时间？", 1, NOW));
        assertEquals(m.channel(), fixture.channel());
        assertEquals(m.botId(), "contract-bot");
        assertEquals(m.kind(), MessageKind.TEXT);
        assertEquals(m.text(), "你好，请问营业时间？");
        assertEquals(m.senderId(), "u1001");
        assertFalse(m.toString().contains("营业时间"), "toString keeps the user's words out of logs");
    }

    @Test
    public void redeliveryKeepsTheDedupeKeyAndOtherMessagesDoNot() {
        SignedCallback c = fixture.text("u1001", "hello", 7, NOW);
        String first = accept(c).messageId();
        assertEquals(accept(c).messageId(), first, "same delivery twice, same key");
        assertNotEquals(accept(fixture.text("u1001", "hello", 8, NOW)).messageId(), first, "another message");
    }

    @Test
    public void tamperedBodyIsRefused() {
        SignedCallback c = fixture.text("u1001", "hello", 1, NOW);
        byte[] body = c.body();
        int i = body.length / 2;
        body[i] = (byte) (body[i] == 'A' ? 'B' : 'A');
        assertRefused(new SignedCallback(c.method(), c.query(), c.headers(), body).toRequest(NOW),
                "a body changed after signing");
    }

    @Test
    public void garbageIsRefusedWithoutThrowing() {
        byte[] noise = new byte[300];
        new Random(42).nextBytes(noise);
        SignedCallback c = fixture.text("u1001", "hello", 1, NOW);
        assertRefused(new CallbackRequest("POST", c.query(), c.headers(), noise, NOW), "random bytes");
        assertRefused(new CallbackRequest("POST", Map.of(), Map.of(), new byte[0], NOW), "an empty request");
        assertRefused(new CallbackRequest("POST", c.query(), c.headers(),
                "<xml>{\"a\":".getBytes(StandardCharsets.UTF_8), NOW), "truncated XML/JSON");
    }

    @Test
    public void sendDeliversTheAnswerOnce() {
        InboundMessage m = accept(fixture.text("u1001", "hello", 1, NOW));
        adapter.send(m, OutboundText.of("您好，我们9点开门。"));
        assertEquals(fixture.delivered(), List.of("您好，我们9点开门。"));
        assertTrue(adapter.health().healthy());
    }

    @Test
    public void streamWithoutUpdatesDeliversTheFinalTextOnce() {
        InboundMessage m = accept(fixture.text("u1001", "hello", 1, NOW));
        adapter.open(m).finish(OutboundText.of("Direct answer."));
        assertEquals(fixture.delivered(), List.of("Direct answer."));
    }
}

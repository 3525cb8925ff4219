package dev.botgate.adapters;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

/** The SPI's value types. */
public class SpiRecordsTest {

    @Test
    public void inboundMessagesSurviveAJsonRoundTripForTheDurableRecord() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (ReplyTo to : List.of(new ReplyTo.WeComUser("zhangsan"), new ReplyTo.WeChatUser("oX", "gh_1", ReplyTo.WeChatUser.Crypto.PREVIOUS_KEY),
                new ReplyTo.FeishuMessage("om_1", "oc_1"), new ReplyTo.SlackThread("C1", "1.2"),
                new ReplyTo.WeComKfCustomer("wk1", "wm1", "WELCOME1"),
                new ReplyTo.WeComAiBotChat("wr1", "lisi", "bgStream", "https://qyapi/x?response_code=1", "", 42L))) {
            InboundMessage m = new InboundMessage(Channel.SLACK, "bot", "c", "u", "问题", "id-1", MessageKind.TEXT,
                    to, true);
            String s = json.writeValueAsString(m);
            assertEquals(json.readValue(s, InboundMessage.class), m, s);
        }
    }

    @Test
    public void callbackRequestHeadersAreCaseInsensitiveAndBodyCopied() {
        byte[] body = "raw".getBytes(StandardCharsets.UTF_8);
        CallbackRequest r = new CallbackRequest("post", Map.of("a", "1"), Map.of("X-Slack-Signature", "v0=1"), body,
                Instant.EPOCH);
        body[0] = 'X';
        assertEquals(r.bodyText(), "raw", "defensive copy");
        assertEquals(r.header("x-slack-signature").orElseThrow(), "v0=1");
        assertEquals(r.method(), "POST");
        assertFalse(r.toString().contains("v0=1"), "no signature in logs");
    }

    @Test
    public void messagesNeedADedupeKey() {
        expectThrows(IllegalArgumentException.class, () -> new InboundMessage(Channel.WECOM, "b", "c", "u", "t", "",
                MessageKind.TEXT, new ReplyTo.WeComUser("u"), false));
    }

    @Test
    public void errorRepliesUseTheErrorShape() {
        HttpReply r = HttpReply.error(401, "bad \"signature\"");
        assertEquals(r.bodyText(), "{\"error\":\"bad \\\"signature\\\"\"}");
        assertTrue(new CallbackResult.Reply(r, "x").refused());
    }

    @Test
    public void retryPolicyBacksOffExponentiallyWithACap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertEquals(p.backoff(1), Duration.ofMillis(500));
        assertEquals(p.backoff(2), Duration.ofSeconds(1));
        assertEquals(p.backoff(3), Duration.ofSeconds(2));
        assertEquals(p.backoff(9), Duration.ofSeconds(2));
    }

    @Test
    public void outboundTextAppendsSources() {
        assertEquals(new OutboundText("答", List.of("A", "B"), "来源").withSourcesLine(), "答\n\n来源: A; B");
        assertEquals(OutboundText.of("plain").withSourcesLine(), "plain");
    }
}

package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.wechat.WeChatCallbacks;
import dev.botgate.adapters.wechat.WeChatFixture;
import dev.botgate.gateway.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/**
 * The unverified Official Account's three deliveries, with the real WeChat adapter building and encrypting the
 * passive replies. Time is scaled down (hold 600 ms, the platform's deadline 800 ms), with at least 300 ms of margin
 * on each side of every boundary so a busy machine does not flip a result.
 */
public class PassiveRepliesTest {
    private WeChatFixture fixture;
    private ChannelAdapter adapter;
    private MessageLog log;
    private ConversationWorkers workers;
    private PassiveReplies passive;
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private Ack.Hold hold;

    @BeforeMethod
    public void setUp() throws Exception {
        fixture = new WeChatFixture(false);
        adapter = fixture.newAdapter("oa", AdapterOptions.defaults());
        log = new MessageLog(Files.createTempDirectory("passive").resolve("m.db"), Clock.systemUTC());
        workers = new ConversationWorkers();
        Cache<String, Boolean> recent = Caffeine.newBuilder().build();
        passive = new PassiveReplies(log, workers, new Metrics(), recent, (m, progress) -> {
            sleep(delays.getOrDefault(m.text(), 0L));
            String a = answers.getOrDefault(m.text(), "answer to " + m.text());
            List<String> sources = m.text().equals("退货") ? List.of("售后政策.md") : List.of();
            return new InboundDispatcher.Answered(new Answer(a, sources, Answer.Policy.MODEL),
                    new OutboundText(a, sources, "来源"));
        }, "正在查询，请稍后回复任意内容获取答案。", "（未完）", Duration.ofMillis(800));
        Ack.Hold real = (Ack.Hold) inbound("x", 1).ack();
        hold = new Ack.Hold(Duration.ofMillis(600), real.deliveries(), real.maxReplyBytes(), real.release());
    }

    @AfterMethod(alwaysRun = true)
    public void tearDown() throws Exception {
        workers.close();
        log.close();
        adapter.close();
        fixture.close();
    }

    private CallbackResult.Inbound inbound(String text, long msgId) {
        CallbackResult r = adapter.handle(fixture.callbacks().text("openid-1", text, msgId, Instant.now(),
                WeChatCallbacks.Mode.SAFE).toRequest(Instant.now()));
        return (CallbackResult.Inbound) r;
    }

    private String deliver(String text, long msgId) {
        InboundMessage m = inbound(text, msgId).message();
        HttpReply reply = passive.dispatch(adapter, m, hold, "wechat/oa/" + m.messageId(), "");
        String body = new String(reply.body(), StandardCharsets.UTF_8);
        return body.equals("success") ? "" : fixture.passiveText(body);
    }

    @Test
    public void aQuickAnswerComesBackOnTheFirstDelivery() {
        assertEquals(deliver("你好", 1), "answer to 你好");
    }

    @Test
    public void aSlowAnswerLandsOnTheSecondDelivery() {
        delays.put("慢", 1000L);
        assertEquals(deliver("慢", 2), "", "the first delivery lapses (released after the platform gave up)");
        assertEquals(deliver("慢", 2), "answer to 慢", "the retry joins the answer in progress");
    }

    @Test
    public void aSlowerAnswerLandsOnTheThirdDelivery() {
        delays.put("更慢", 1900L);
        assertEquals(deliver("更慢", 3), "");
        assertEquals(deliver("更慢", 3), "");
        assertEquals(deliver("更慢", 3), "answer to 更慢");
    }

    @Test
    public void anAnswerMissingAllDeliveriesIsHandedOutOnTheNextMessage() {
        delays.put("最慢", 3000L);
        assertEquals(deliver("最慢", 4), "");
        assertEquals(deliver("最慢", 4), "");
        assertEquals(deliver("最慢", 4), "正在查询，请稍后回复任意内容获取答案。", "the last delivery gets the note");
        sleep(1500);
        String next = deliver("在吗", 5);
        assertTrue(next.startsWith("answer to 最慢"), "the held answer comes first: " + next);
        assertTrue(next.endsWith("answer to 在吗"), "then the new message's answer: " + next);
    }

    @Test
    public void aLongAnswerIsSentInMarkedParts() {
        String longAnswer = "这是一句很长的回答。".repeat(120);
        answers.put("长", longAnswer);
        String first = deliver("长", 6);
        assertTrue(first.getBytes(StandardCharsets.UTF_8).length <= hold.maxReplyBytes(), "fits one passive reply");
        assertTrue(first.endsWith("（未完）"), "marked as continued");
        String second = deliver("继续", 7);
        String joined = first.replace("\n（未完）", "") + second.substring(0, second.indexOf("answer to 继续")).strip();
        assertEquals(joined.replace("\n", ""), longAnswer, "the parts add up to the whole answer");
    }

    @Test
    public void aMarkdownAnswerReachesTheFollowerAsPlainText() {
        answers.put("退货", "**退货**请在 *7 天*内申请：\n\n- 登录账户\n- 点击[售后](https://shop.example/after)");
        String reply = deliver("退货", 8);
        assertEquals(reply, "退货请在 7 天内申请：\n\n• 登录账户\n• 点击售后 (https://shop.example/after)\n\n来源: 售后政策.md",
                "converted by the adapter as its own sends are, sources included");
        assertEquals(log.recent(java.util.Optional.empty(), 1).getFirst().answer(), reply,
                "the record keeps what the follower was shown");
    }

    @Test
    public void splitKeepsSentencesAndByteLimits() {
        List<String> parts = PassiveReplies.split("第一句。第二句！Third one. 四", 20);
        parts.forEach(p -> assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= 20, p));
        assertEquals(String.join("", parts), "第一句。第二句！Third one. 四");
        assertEquals(parts.getFirst(), "第一句。", "cut at a sentence end (both sentences are 24 bytes)");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

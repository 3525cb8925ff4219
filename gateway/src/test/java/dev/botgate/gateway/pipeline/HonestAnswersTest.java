package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.gateway.TestGateway;
import dev.botgate.knowledge.index.Upload;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Issue 14, honest answers, over real HTTP ({@code POST /v1/chat/completions} with {@code model: bot/ID}) against a
 * real Botgate with the real embedding model and Lucene: the clarifying menu and its picks, the answer-mode knob, and
 * follow-up questions read against the conversation's topic.
 */
public class HonestAnswersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETURN_FEE = "质量问题的退货运费由云杉承担，非质量问题由买家承担。";
    private static final String EXCHANGE_FEE = "换货产生的来回运费均由云杉承担。";
    private static final String RETURN = "签收后7天内，在「我的订单」点击「申请退货」即可。";
    private static final String FAQ = """
            question,answer
            如何申请退货？,%s
            退货的运费谁承担？,%s
            如何申请换货？,在「我的订单」点击「申请换货」，选择新的规格即可。
            换货的运费谁承担？,%s
            发票怎么开？,在订单详情页点击「申请发票」，电子发票会发送到您的邮箱。
            下单后多久发货？,付款后48小时内发货，预售商品以页面说明为准。
            会员积分怎么使用？,积分可在结算时抵扣现金，100积分抵1元。
            忘记登录密码怎么办？,在登录页点击「忘记密码」，通过手机验证码重置。
            """.formatted(RETURN, RETURN_FEE, EXCHANGE_FEE);
    private TestGateway gateway;

    @BeforeClass
    public void start() throws Exception {
        gateway = TestGateway.start("""
                bots:
                  - id: shop
                    channel: local
                    knowledge: [faq]
                    rate-per-minute: 0
                    fallback: "抱歉，我还不知道。"
                  - id: strict
                    channel: local
                    knowledge: [faq]
                    rate-per-minute: 0
                    answer-mode: strict
                    fallback: "STRICT-FALLBACK"
                  - id: helpful
                    channel: local
                    knowledge: [faq]
                    rate-per-minute: 0
                    answer-mode: helpful
                    fallback: "HELPFUL-FALLBACK"
                  - id: legacy
                    channel: local
                    knowledge: [faq]
                    rate-per-minute: 0
                    threshold: 0.99
                    fallback: "LEGACY-FALLBACK"
                """, Map.of());
        var kb = gateway.botgate().parts().knowledge();
        kb.create("faq");
        kb.startUpload("faq", List.of(new Upload("faq.csv", FAQ.getBytes(StandardCharsets.UTF_8))), Set.of());
        TestGateway.waitFor(() -> kb.list().stream().anyMatch(b -> b.name().equals("faq") && b.chunks() == 8),
                "the FAQ imported");
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private String ask(String bot, String user, String text) throws Exception {
        HttpResponse<String> res = gateway.post("/v1/chat/completions", JSON.writeValueAsString(Map.of(
                "model", "bot/" + bot, "user", user, "messages", List.of(Map.of("role", "user", "content", text)))));
        assertEquals(res.statusCode(), 200, res.body());
        JsonNode body = JSON.readTree(res.body());
        // Which answer, not how it is cited: a bot model's content ends with its sources as numbered citations.
        String content = body.get("choices").get(0).get("message").get("content").asText();
        int sources = content.indexOf("\n\nSources:");
        return sources < 0 ? content : content.substring(0, sources);
    }

    @Test
    public void closeEntriesGetAMenuAndANumberPicksOne() throws Exception {
        String menu = ask("shop", "menu-number", "退换货运费谁出");
        assertTrue(menu.startsWith("您是想问："), "two fee entries this close are asked about, got: " + menu);
        List<String> lines = menu.lines().skip(1).toList();
        assertTrue(lines.size() >= 2 && lines.size() <= 3, "two or three numbered options: " + menu);
        assertTrue(lines.contains("1. 退货的运费谁承担？") || lines.contains("2. 退货的运费谁承担？"),
                "the return-fee entry is offered by its question: " + menu);
        int exchange = lines.indexOf(lines.stream().filter(l -> l.endsWith("换货的运费谁承担？")).findFirst()
                .orElseThrow(() -> new AssertionError("the exchange-fee entry is offered: " + menu))) + 1;
        assertEquals(ask("shop", "menu-number", Integer.toString(exchange)), EXCHANGE_FEE,
                "replying with its number gets that entry's answer");
    }

    @Test
    public void aMenuPickByTheQuestionText() throws Exception {
        String menu = ask("shop", "menu-text", "退换货运费谁出");
        assertTrue(menu.startsWith("您是想问："), menu);
        assertEquals(ask("shop", "menu-text", "退货的运费谁承担"), RETURN_FEE,
                "replying with an offered question (punctuation aside) gets that entry's answer");
    }

    @Test
    public void aReplyThatPicksNothingIsANewQuestion() throws Exception {
        assertTrue(ask("shop", "menu-other", "退换货运费谁出").startsWith("您是想问："));
        assertEquals(ask("shop", "menu-other", "发票怎么开？"),
                "在订单详情页点击「申请发票」，电子发票会发送到您的邮箱。", "another question is answered as such");
        assertNotEquals(ask("shop", "menu-other", "1"), RETURN_FEE, "the menu closed once it was not picked from");
    }

    @Test
    public void theAnswerModeChangesTheDecision() throws Exception {
        String question = "我买的东西想退掉";
        String strict = ask("strict", "mode-strict", question);
        String helpful = ask("helpful", "mode-helpful", question);
        assertEquals(strict, "STRICT-FALLBACK", "strict does not answer a middling match");
        assertEquals(helpful, RETURN, "helpful answers the same question");
        assertEquals(ask("legacy", "mode-legacy", question), "LEGACY-FALLBACK",
                "an explicit threshold (advanced) still decides");
    }

    @Test
    public void aFollowUpIsSearchedWithThePreviousTopic() throws Exception {
        assertEquals(ask("shop", "follow", "怎么申请退货？"), RETURN);
        assertEquals(ask("shop", "follow", "那运费呢？"), RETURN_FEE,
                "the fragment is read as the return's shipping fee");
        assertNotEquals(ask("shop", "alone", "那运费呢？"), RETURN_FEE,
                "alone, the same fragment does not find the return-fee entry");
    }
}

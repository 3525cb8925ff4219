package dev.botgate.knowledge.index;

import org.testng.annotations.Test;

import java.util.List;

import static org.testng.Assert.assertEquals;

public class MatchHighlighterTest {
    @Test
    public void marksTermsCaseInsensitivelyAndEscapesHtml() {
        assertEquals(MatchHighlighter.highlight("<b>SKU-12345</b> 充电器", List.of("sku-12345", "充电器")),
                "&lt;b&gt;<em>SKU-12345</em>&lt;/b&gt; <em>充电器</em>", "terms marked, markup escaped");
    }

    @Test
    public void skipsSingleCharactersWhenLongerTermsExist() {
        assertEquals(MatchHighlighter.highlight("退款的流程", List.of("退款", "的")), "<em>退款</em>的流程",
                "的 alone is noise");
    }

    @Test
    public void prefersTheLongestTerm() {
        assertEquals(MatchHighlighter.highlight("支付宝付款", List.of("支付", "支付宝")), "<em>支付宝</em>付款",
                "the longer term wins the overlap");
    }
}

package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class MarkdownReaderTest {
    private static final String MARKDOWN = """
            ---
            author: 客服部
            ---
            # 退货政策

            自签收之日起七天内，
            可申请无理由退货。

            ## 运费

            - 质量问题：商家承担运费
            - 非质量问题：买家承担运费
              1. 普通地区 10 元
              2. 偏远地区 25 元

            | 地区 | 运费 | 时效 |
            |------|-----:|------|
            | 北京 | 10元 | 2天 |
            | 新疆 | 25元 | 5天 |

            ## Refund timing

            Refunds reach the original
            payment method within *3 business days*.

            ```
            POST /api/refund  {"order": "SO-889"}
            ```

            # 换货
            换货请联系在线客服。
            """;

    private Document doc;

    @BeforeClass
    void read() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults());
        doc = reader.read("退货政策.md", Fixtures.utf8(MARKDOWN));
    }

    private Chunk chunkWith(String text) {
        return doc.chunks().stream().filter(c -> c.text().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no chunk contains '" + text + "' in " + doc.chunks()));
    }

    @Test
    void softWrappedChineseJoinsWithoutASpace() {
        Chunk c = chunkWith("七天内，可申请无理由退货。");
        assertEquals(c.headingPath(), List.of("退货政策"));
    }

    @Test
    void listItemsNestedListsAndTableRowsSitUnderTheirHeading() {
        Chunk c = chunkWith("质量问题：商家承担运费");
        assertEquals(c.headingPath(), List.of("退货政策", "运费"));
        assertEquals(c.text(), String.join("\n", "- 质量问题：商家承担运费", "- 非质量问题：买家承担运费", "1. 普通地区 10 元",
                "2. 偏远地区 25 元", "地区 | 运费 | 时效", "北京 | 10元 | 2天", "新疆 | 25元 | 5天"));
    }

    @Test
    void englishSoftWrapJoinsWithASpaceAndEmphasisIsPlainText() {
        assertEquals(chunkWith("Refunds reach").text().lines().findFirst().orElseThrow(),
                "Refunds reach the original payment method within 3 business days.");
    }

    @Test
    void codeBlocksAreKeptVerbatim() {
        assertTrue(chunkWith("POST /api/refund").text().contains("POST /api/refund  {\"order\": \"SO-889\"}"));
        assertEquals(chunkWith("POST /api/refund").headingPath(), List.of("退货政策", "Refund timing"));
    }

    @Test
    void aNewTopHeadingClosesTheOldOne() {
        assertEquals(chunkWith("换货请联系在线客服。").headingPath(), List.of("换货"));
    }

    @Test
    void frontMatterIsNotContent() {
        assertFalse(doc.chunks().stream().anyMatch(c -> c.text().contains("author")), doc.chunks().toString());
    }

    @Test
    void titleIsTheFileName() {
        assertEquals(doc.title(), "退货政策.md");
    }
}

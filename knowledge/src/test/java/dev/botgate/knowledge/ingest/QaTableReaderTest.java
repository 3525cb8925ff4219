package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.List;
import org.testng.annotations.Test;

public class QaTableReaderTest {
    private final DocumentReader reader = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults());

    private static Chunk qa(Document doc, int i) {
        Chunk c = doc.chunks().get(i);
        assertEquals(c.kind(), Chunk.Kind.QA, "chunk " + i + " is a Q&A: " + c);
        return c;
    }

    @Test
    void fastGptCsvWithIndexesColumnAndFurtherColumns() {
        String csv = """
                q,a,indexes
                "如何退货？","自签收七天内，在订单页点击「申请退货」。","怎么退货|退货流程是什么
                我想退货",退货怎么操作
                "What is the refund time?","Refunds arrive within 3 business days.","1. how long does a refund take\\n2. refund speed"
                """;
        Document doc = reader.read("faq.csv", Fixtures.utf8(csv));
        assertEquals(doc.chunks().size(), 2);
        Chunk first = qa(doc, 0);
        assertEquals(first.questions(), List.of("如何退货？", "怎么退货", "退货流程是什么", "我想退货", "退货怎么操作"));
        assertEquals(first.answer(), "自签收七天内，在订单页点击「申请退货」。");
        assertEquals(first.text(), "如何退货？\n怎么退货\n退货流程是什么\n我想退货\n退货怎么操作\n自签收七天内，在订单页点击「申请退货」。");
        Chunk second = qa(doc, 1);
        assertEquals(second.questions(), List.of("What is the refund time?", "how long does a refund take",
                "refund speed"));
        assertEquals(second.ordinal(), 1);
    }

    @Test
    void chineseHeaderWithBomAndFullWidthSemicolons() {
        String csv = "\uFEFF问题,答案,相似问题\n支付宝可以付款吗？,支持支付宝和微信支付。,能用支付宝吗；支付方式有哪些\n";
        Document doc = reader.read("支付.csv", Fixtures.utf8(csv));
        Chunk c = qa(doc, 0);
        assertEquals(c.questions(), List.of("支付宝可以付款吗？", "能用支付宝吗", "支付方式有哪些"));
        assertEquals(c.answer(), "支持支付宝和微信支付。");
    }

    @Test
    void gbkCsvIsDecodedWhenTheBytesAreNotUtf8() throws Exception {
        String csv = "问题,答案\n发票怎么开？,在订单详情页申请电子发票。\n";
        Document doc = reader.read("发票.csv", csv.getBytes(Charset.forName("GBK")));
        assertEquals(qa(doc, 0).questions(), List.of("发票怎么开？"));
        assertEquals(qa(doc, 0).answer(), "在订单详情页申请电子发票。");
    }

    @Test
    void headerlessCsvIsQuestionAnswerThenPhrasings() {
        String csv = "会员有什么权益？,会员每月领取两张免运费券。,会员福利,VIP权益\n";
        Chunk c = qa(reader.read("member.csv", Fixtures.utf8(csv)), 0);
        assertEquals(c.questions(), List.of("会员有什么权益？", "会员福利", "VIP权益"));
        assertEquals(c.answer(), "会员每月领取两张免运费券。");
    }

    @Test
    void maxKbTemplateColumns() {
        String csv = "分段标题（选填）,分段内容（必填，问题答案）,问题（选填，单行单个问题）\n"
                + "发货时间,\"现货商品48小时内发货。\",\"多久发货\n什么时候发货\"\n"
                + "开票说明,电子发票在确认收货后开具。,\n";
        Document doc = reader.read("maxkb.csv", Fixtures.utf8(csv));
        assertEquals(qa(doc, 0).questions(), List.of("多久发货", "什么时候发货"));
        assertEquals(qa(doc, 0).answer(), "现货商品48小时内发货。");
        assertEquals(qa(doc, 1).questions(), List.of("开票说明"), "without a question the title is the question");
    }

    @Test
    void aRowWithoutAnAnswerIsAPassage() {
        String csv = "q,a\n店铺营业时间为每天九点到晚上九点。,\n";
        Chunk c = reader.read("content.csv", Fixtures.utf8(csv)).chunks().getFirst();
        assertEquals(c.kind(), Chunk.Kind.PASSAGE);
        assertEquals(c.text(), "店铺营业时间为每天九点到晚上九点。");
    }

    @Test
    void aTableWithoutRowsSaysWhatColumnsAreExpected() {
        var e = expectThrows(IngestException.class, () -> reader.read("empty.csv", Fixtures.utf8("question,answer\n")));
        assertTrue(e.getMessage().startsWith("no Q&A rows found"), e.getMessage());
    }

    @Test
    void xlsxReadsEverySheetAndNamesTheSheetInTheHeadingPath() {
        byte[] xlsx = Fixtures.xlsx(List.of("订单", "Payment"), List.of(
                List.of(List.of("问题", "答案", "相似问题"),
                        List.of("如何取消订单？", "未发货的订单可在订单详情页取消。", "取消订单|不想要了")),
                List.of(List.of("Question", "Answer"),
                        List.of("Which cards do you accept?", "Visa, Mastercard and UnionPay."))));
        Document doc = reader.read("faq.xlsx", xlsx);
        assertEquals(doc.chunks().size(), 2);
        assertEquals(qa(doc, 0).questions(), List.of("如何取消订单？", "取消订单", "不想要了"));
        assertEquals(qa(doc, 0).headingPath(), List.of("订单"));
        assertEquals(qa(doc, 1).answer(), "Visa, Mastercard and UnionPay.");
        assertEquals(qa(doc, 1).headingPath(), List.of("Payment"));
        assertEquals(doc.title(), "faq.xlsx");
    }

    @Test
    void aCsvThatIsReallyBinaryIsRefused() {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 8});
        var e = expectThrows(IngestException.class, () -> reader.read("faq.csv", out.toByteArray()));
        assertTrue(e.getMessage().contains("not a CSV text file"), e.getMessage());
    }
}

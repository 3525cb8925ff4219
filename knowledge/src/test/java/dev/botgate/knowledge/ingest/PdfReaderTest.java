package dev.botgate.knowledge.ingest;

import static dev.botgate.knowledge.ingest.Fixtures.lines;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import dev.botgate.knowledge.ingest.Fixtures.Placed;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class PdfReaderTest {
    private final DocumentReader reader = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults());
    private Document doc;

    /** Page 1: a title, a paragraph wrapped over two lines, a sub-heading, a 3x3 table drawn as placed text. Page 2:
     *  another sub-heading, a paragraph, a running page number. */
    static byte[] policyPdf() {
        var page1 = new ArrayList<Placed>();
        page1.add(new Placed(72, 780, 20, "退货政策"));
        page1.addAll(lines(72, 745, 11, 14, "自签收之日起七天内，商品未经使用且包装完好的，可以申请无理由退货。",
                "退货申请提交后，客服将在一个工作日内审核。"));
        page1.add(new Placed(72, 690, 15, "运费"));
        page1.addAll(lines(72, 665, 11, 14, "不同地区的退货运费如下表所示。"));
        page1.add(new Placed(72, 640, 11, "地区"));
        page1.add(new Placed(220, 640, 11, "运费"));
        page1.add(new Placed(360, 640, 11, "时效"));
        page1.add(new Placed(72, 625, 11, "北京"));
        page1.add(new Placed(220, 625, 11, "10元"));
        page1.add(new Placed(360, 625, 11, "2天"));
        page1.add(new Placed(72, 610, 11, "新疆 SKU-12345"));
        page1.add(new Placed(220, 610, 11, "25元"));
        page1.add(new Placed(360, 610, 11, "5天"));
        page1.add(new Placed(290, 40, 9, "- 1 -"));
        var page2 = new ArrayList<Placed>();
        page2.add(new Placed(72, 780, 15, "退款时效"));
        page2.addAll(lines(72, 755, 11, 14, "Refunds are issued to the original payment method within 3 business",
                "days after the parcel arrives at our warehouse."));
        page2.add(new Placed(290, 40, 9, "- 2 -"));
        return Fixtures.pdf(List.of(page1, page2));
    }

    @BeforeClass
    void read() {
        doc = reader.read("退货政策.pdf", policyPdf());
    }

    private Chunk chunkWith(String text) {
        return doc.chunks().stream().filter(c -> c.text().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no chunk contains '" + text + "' in " + doc.chunks()));
    }

    @Test
    void titleIsFileNameAndSourceIsName() {
        assertEquals(doc.title(), "退货政策.pdf");
        assertEquals(doc.source(), "退货政策.pdf");
        assertTrue(doc.contentHash().matches("sha256:[0-9a-f]{64}"), doc.contentHash());
    }

    @Test
    void wrappedLinesJoinIntoOneParagraphUnderTheTitleHeading() {
        Chunk c = chunkWith("可以申请无理由退货。退货申请提交后");
        assertEquals(c.headingPath(), List.of("退货政策"));
        assertEquals(c.page(), 1);
    }

    @Test
    void tableRowsStayWholeUnderTheSubHeading() {
        Chunk c = chunkWith("北京 | 10元 | 2天");
        assertTrue(c.text().contains("地区 | 运费 | 时效"), c.text());
        assertTrue(c.text().contains("新疆 SKU-12345 | 25元 | 5天"), c.text());
        assertEquals(c.headingPath(), List.of("退货政策", "运费"));
        assertEquals(c.page(), 1);
    }

    @Test
    void secondPageKeepsItsPageNumberAndEnglishWrapsWithASpace() {
        Chunk c = chunkWith("within 3 business days after the parcel");
        assertEquals(c.page(), 2);
        assertEquals(c.headingPath(), List.of("退货政策", "退款时效"));
    }

    @Test
    void runningPageNumbersAreDropped() {
        assertFalse(doc.chunks().stream().anyMatch(c -> c.text().contains("- 1 -") || c.text().contains("- 2 -")),
                doc.chunks().toString());
    }

    @Test
    void encryptedPdfSaysToRemoveThePassword() {
        var e = expectThrows(IngestException.class, () -> reader.read("价目表.pdf", Fixtures.encryptedPdf("user-pw")));
        assertEquals(e.getMessage(), "the PDF is password-protected; remove the password and import again");
    }

    @Test
    void garbageNamedPdfIsReportedAsDamaged() {
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        var e = expectThrows(IngestException.class, () -> reader.read("broken.pdf", garbage));
        assertTrue(e.getMessage().startsWith("the PDF is damaged or not a PDF"), e.getMessage());
    }

    @Test
    void pdfWithoutTextSaysOcrIsNotSupported() {
        var e = expectThrows(IngestException.class, () -> reader.read("scan.pdf", Fixtures.imageOnlyPdf()));
        assertTrue(e.getMessage().contains("OCR is not supported"), e.getMessage());
    }
}

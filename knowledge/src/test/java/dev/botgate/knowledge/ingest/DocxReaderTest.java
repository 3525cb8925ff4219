package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.List;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class DocxReaderTest {
    private final DocumentReader reader = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults());
    private Document doc;

    @BeforeClass
    void read() {
        byte[] docx = new Fixtures.Docx()
                .title("售后服务手册")
                .paragraph("本手册适用于云杉商城的全部自营商品。")
                .heading(1, "退货政策")
                .paragraph("自签收之日起七天内可申请无理由退货。")
                .heading(2, "运费")
                .paragraph("质量问题的退货运费由商家承担。")
                .bullet("普通地区：10元")
                .bullet("偏远地区：25元")
                .table(new String[] {"地区", "运费", "时效"}, new String[] {"北京", "10元", "2天"},
                        new String[] {"新疆", "25元", "5天"})
                .heading(1, "Warranty")
                .paragraph("Electronics carry a one-year warranty. Keep the invoice.")
                .bytes();
        doc = reader.read("手册/售后服务手册.docx", docx);
    }

    private Chunk chunkWith(String text) {
        return doc.chunks().stream().filter(c -> c.text().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no chunk contains '" + text + "' in " + doc.chunks()));
    }

    @Test
    void titleStyleOpensTheHeadingPath() {
        assertEquals(chunkWith("本手册适用于").headingPath(), List.of("售后服务手册"));
    }

    @Test
    void headingStylesNestUnderEachOther() {
        assertEquals(chunkWith("七天内可申请").headingPath(), List.of("售后服务手册", "退货政策"));
        assertEquals(chunkWith("由商家承担").headingPath(), List.of("售后服务手册", "退货政策", "运费"));
    }

    @Test
    void aNewHeading1ClosesTheSubHeadings() {
        Chunk c = chunkWith("one-year warranty");
        assertEquals(c.headingPath(), List.of("售后服务手册", "Warranty"));
        assertEquals(c.text(), "Electronics carry a one-year warranty. Keep the invoice.");
    }

    @Test
    void listItemsAndTableRowsAreWholeLinesOfTheSectionChunk() {
        Chunk c = chunkWith("由商家承担");
        assertEquals(c.text(), String.join("\n", "质量问题的退货运费由商家承担。", "- 普通地区：10元", "- 偏远地区：25元",
                "地区 | 运费 | 时效", "北京 | 10元 | 2天", "新疆 | 25元 | 5天"));
    }

    @Test
    void titleIsTheFileNameAndSourceTheNameGiven() {
        assertEquals(doc.title(), "售后服务手册.docx");
        assertEquals(doc.source(), "手册/售后服务手册.docx");
        assertEquals(doc.chunks().getFirst().page(), 0, "a .docx has no pages");
    }

    @Test
    void anOldDocRenamedToDocxIsReportedAsNotADocx() {
        byte[] ole = new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A,
            (byte) 0xE1, 0, 0, 0, 0};
        var e = expectThrows(IngestException.class, () -> reader.read("old.docx", ole));
        assertTrue(e.getMessage().startsWith("not a readable Word .docx file"), e.getMessage());
    }
}

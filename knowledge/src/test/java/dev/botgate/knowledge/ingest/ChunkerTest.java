package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;

public class ChunkerTest {
    private static final String HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
            + "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开";

    private final Chunker chunker = new Chunker(ChunkingOptions.defaults());

    private static Unit.Block para(String text, String... path) {
        return Unit.Block.of(Unit.Kind.PARAGRAPH, text, List.of(path));
    }

    private static Unit.Block row(String text, String... path) {
        return Unit.Block.of(Unit.Kind.TABLE_ROW, text, List.of(path));
    }

    /** {@code n} hanzi with no punctuation and no spaces at all. */
    static String unpunctuatedChinese(int n) {
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(HANZI.charAt((i * 7 + i / HANZI.length()) % HANZI.length()));
        }
        return sb.toString();
    }

    /** Chinese sentences of 20..40 characters, numbered so each one is unique, about {@code n} characters. */
    static String chineseSentences(int n) {
        var sb = new StringBuilder();
        for (int i = 1; sb.length() < n; i++) {
            sb.append("第").append(i).append("条，").append(unpunctuatedChinese(15 + i % 20).substring(i % 5))
                    .append(i % 3 == 0 ? "！" : "。");
        }
        return sb.toString();
    }

    static String englishSentences(int n) {
        String[] words = {"refund", "parcel", "warehouse", "customer", "returns", "within", "business", "days",
                "original", "payment", "method", "policy", "shipping", "order", "account", "support"};
        var sb = new StringBuilder();
        for (int i = 1; sb.length() < n; i++) {
            sb.append("Rule ").append(i);
            for (int w = 0; w < 8 + i % 9; w++) {
                sb.append(' ').append(words[(i * 3 + w) % words.length]);
            }
            sb.append(i % 4 == 0 ? "? " : ". ");
        }
        return sb.toString().strip();
    }

    private static void assertAllWithinLimits(List<Chunk> chunks) {
        for (Chunk c : chunks) {
            assertTrue(ChunkingOptions.tokenUpperBound(c.text()) <= ChunkingOptions.MAX_CHUNK_TOKENS,
                    "chunk over the token bound: " + ChunkingOptions.tokenUpperBound(c.text()) + ": " + c.text());
        }
    }

    @Test
    void longChinesePassageWithoutPunctuationIsCutWithinTheTokenBoundAndKeepsItsTail() {
        String text = unpunctuatedChinese(2000);
        List<Chunk> chunks = chunker.chunk(List.of(para(text)));
        assertAllWithinLimits(chunks);
        assertEquals(String.join("", chunks.stream().map(Chunk::text).toList()), text,
                "without sentence boundaries there is no overlap, so the chunks put together are the text");
        assertTrue(chunks.getLast().text().endsWith(text.substring(text.length() - 40)), "tail missing");
        assertTrue(chunks.size() >= 7, "2000 chars at target 300 need at least 7 chunks, got " + chunks.size());
    }

    @Test
    void evenAHugeTargetNeverExceedsWhatTheModelReads() {
        var wide = new Chunker(new ChunkingOptions(2000, 100));
        String text = unpunctuatedChinese(2000);
        List<Chunk> chunks = wide.chunk(List.of(para(text)));
        assertAllWithinLimits(chunks);
        assertTrue(chunks.getLast().text().endsWith(text.substring(text.length() - 40)), "tail missing");
    }

    @Test
    void longEnglishTextIsCutAtSentencesWithinTheLimits() {
        String text = englishSentences(6000);
        List<Chunk> chunks = chunker.chunk(List.of(para(text)));
        assertAllWithinLimits(chunks);
        for (Chunk c : chunks) {
            assertTrue(c.text().length() <= 300, "over the target: " + c.text().length());
            assertTrue(c.text().endsWith(".") || c.text().endsWith("?"), "not a sentence end: " + c.text());
        }
        String tail = text.substring(text.length() - 60);
        assertTrue(chunks.getLast().text().endsWith(tail), "tail missing: " + chunks.getLast().text());
    }

    @Test
    void englishWithoutAnyPunctuationIsCutAtSpaces() {
        String text = englishSentences(3000).replaceAll("[.?]", "");
        List<Chunk> chunks = chunker.chunk(List.of(para(text)));
        assertAllWithinLimits(chunks);
        for (Chunk c : chunks) {
            assertTrue(c.text().length() <= 600, "over the hard limit: " + c.text().length());
            assertTrue(text.contains(c.text()), "a word was split: " + c.text());
        }
        assertTrue(chunks.getLast().text().endsWith(text.substring(text.length() - 30)));
    }

    @Test
    void tailOfA2000CharacterParagraphIsInSomeChunk() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults());
        String text = chineseSentences(2000);
        Document doc = reader.readText("p1", "cmrc/p1", text);
        String tail = text.substring(text.length() - 25);
        assertTrue(doc.chunks().stream().anyMatch(c -> c.text().contains(tail)), "tail '" + tail + "' lost");
        assertAllWithinLimits(doc.chunks());
        assertEquals(doc.source(), "cmrc/p1");
        assertEquals(doc.title(), "p1");
    }

    @Test
    void chineseChunksEndAtSentenceBoundariesAndOverlapRepeatsTheLastSentence() {
        String text = chineseSentences(2000);
        List<Chunk> chunks = chunker.chunk(List.of(para(text)));
        assertTrue(chunks.size() >= 7, "chunks: " + chunks.size());
        for (int i = 0; i + 1 < chunks.size(); i++) {
            String a = chunks.get(i).text();
            String b = chunks.get(i + 1).text();
            assertTrue(a.endsWith("。") || a.endsWith("！"), "chunk ends mid-sentence: " + a);
            List<String> sentences = Chunker.sentences(a);
            assertTrue(sentences.getLast().length() <= 50, "test text has short sentences");
            // The overlap is the last whole sentences of the previous chunk, together at most 50 characters.
            String overlap = "";
            for (int k = sentences.size() - 1; k >= 0; k--) {
                String candidate = String.join("", sentences.subList(k, sentences.size()));
                if (candidate.length() <= 50 && b.startsWith(candidate)) {
                    overlap = candidate;
                }
            }
            assertTrue(!overlap.isEmpty(), "chunk " + (i + 1) + " does not start with the last sentences of chunk "
                    + i + ": " + b);
            assertTrue(!b.equals(overlap), "a chunk of overlap only");
            assertTrue(a.length() <= 300, "over the target: " + a.length());
        }
    }

    @Test
    void noOverlapWhenItIsSetToZero() {
        var noOverlap = new Chunker(new ChunkingOptions(300, 0));
        String text = chineseSentences(2000);
        List<Chunk> chunks = noOverlap.chunk(List.of(para(text)));
        assertEquals(String.join("", chunks.stream().map(Chunk::text).toList()), text);
    }

    @Test
    void sentencesSplitAtChineseAndEnglishTerminatorsAndLineEnds() {
        assertEquals(Chunker.sentences("你好。真的吗？好的！Hello world. Version 2.5 is out! 下一行\n最后…"),
                List.of("你好。", "真的吗？", "好的！", "Hello world. ", "Version 2.5 is out! ", "下一行\n", "最后…"));
        assertEquals(Chunker.sentences("他说：“明天见。”然后走了；我留下。"),
                List.of("他说：“明天见。”", "然后走了；", "我留下。"));
    }

    @Test
    void chunksNeverMergeAcrossHeadingsAndKeepTheirPath() {
        List<Chunk> chunks = chunker.chunk(List.of(
                para("七天无理由退货。", "退货政策"),
                para("退货运费由买家承担，质量问题除外。", "退货政策", "运费"),
                para("偏远地区另收10元。", "退货政策", "运费")));
        assertEquals(chunks.size(), 2);
        assertEquals(chunks.get(0).text(), "七天无理由退货。");
        assertEquals(chunks.get(0).headingPath(), List.of("退货政策"));
        assertEquals(chunks.get(1).text(), "退货运费由买家承担，质量问题除外。\n偏远地区另收10元。");
        assertEquals(chunks.get(1).headingPath(), List.of("退货政策", "运费"));
        assertEquals(chunks.get(1).ordinal(), 1);
    }

    @Test
    void smallParagraphsArePackedUpToTheTarget() {
        var units = new ArrayList<Unit>();
        for (int i = 0; i < 30; i++) {
            units.add(para("第" + i + "项说明：" + unpunctuatedChinese(30) + "。", "说明"));
        }
        List<Chunk> chunks = chunker.chunk(units);
        assertTrue(chunks.size() >= 3 && chunks.size() <= 5, "30 paragraphs of ~37 chars pack into 3..5 chunks, got "
                + chunks.size());
        for (Chunk c : chunks) {
            assertTrue(c.text().length() <= 300, "over the target: " + c.text().length());
            for (String line : c.text().split("\n")) {
                assertTrue(line.matches("第\\d+项说明：.*。"), "a paragraph was cut: " + line);
            }
        }
    }

    @Test
    void tableRowsAreNeverSplitAcrossChunks() {
        var units = new ArrayList<Unit>();
        var rows = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            String r = "SKU-" + (10000 + i) + " | " + unpunctuatedChinese(12 + i % 7) + " | " + (i * 3 + 9) + "元";
            rows.add(r);
            units.add(row(r, "价目表"));
        }
        List<Chunk> chunks = chunker.chunk(units);
        assertTrue(chunks.size() > 3, "40 rows need several chunks");
        var seen = new java.util.HashSet<String>();
        for (Chunk c : chunks) {
            for (String line : c.text().split("\n")) {
                assertTrue(rows.contains(line), "a row was split: '" + line + "'");
                seen.add(line);
            }
        }
        assertEquals(seen.size(), rows.size(), "every row is in some chunk");
    }

    @Test
    void aSentenceOverTheHardLimitIsCutAfterACommaNotInsideAClause() {
        var sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("条款").append(i).append(unpunctuatedChinese(18)).append('，');
        }
        String sentence = sb.append("完毕。").toString();   // ~900 characters, one sentence
        List<Chunk> chunks = chunker.chunk(List.of(para(sentence)));
        assertAllWithinLimits(chunks);
        for (int i = 0; i + 1 < chunks.size(); i++) {
            assertTrue(chunks.get(i).text().endsWith("，"), "cut inside a clause: " + chunks.get(i).text());
        }
        assertTrue(chunks.getLast().text().endsWith("完毕。"));
    }

    @Test
    void aQaChunkKeepsTheWholeAnswerEvenWhenItsTextIsCutToTheBound() {
        String answer = chineseSentences(900);
        List<Chunk> chunks = chunker.chunk(List.of(new Unit.QaPair(List.of("如何退货？", "怎么退"), answer, List.of())));
        Chunk qa = chunks.getFirst();
        assertEquals(qa.kind(), Chunk.Kind.QA);
        assertEquals(qa.answer(), answer);
        assertEquals(qa.questions(), List.of("如何退货？", "怎么退"));
        assertTrue(qa.text().startsWith("如何退货？\n怎么退\n第1条"), qa.text());
        assertTrue(ChunkingOptions.tokenUpperBound(qa.text()) <= ChunkingOptions.MAX_CHUNK_TOKENS);
    }

    @Test
    void tokenBoundCountsNonWhitespaceCodePoints() {
        assertEquals(ChunkingOptions.tokenUpperBound("退货 policy\n𠀀!"), 2 + 6 + 1 + 1);
    }
}

package dev.botgate.adapters.delivery;

import org.testng.annotations.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

/** Splitting answers to platform limits. */
public class TextSplitterTest {

    @Test
    public void shortTextIsOnePart() {
        assertEquals(TextSplitter.utf8Bytes("  你好。 ", 2048), List.of("你好。"));
        assertEquals(TextSplitter.utf8Bytes("", 2048), List.of());
    }

    @Test
    public void cutsAfterChineseSentencesUnderTheByteLimit() {
        String s = "第一句话很长很长。第二句也不短！第三句？";
        List<String> parts = TextSplitter.utf8Bytes(s, 40);
        for (String p : parts) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= 40, p);
        }
        assertEquals(parts.get(0), "第一句话很长很长。");
        assertEquals(String.join("", parts), s);
    }

    @Test
    public void keepsClosingQuotesWithTheSentence() {
        List<String> parts = TextSplitter.utf8Bytes("他说：“请在七天内退货。”然后离开了商店，没有回头。", 45);
        assertTrue(parts.get(0).endsWith("。”"), parts.get(0));
    }

    @Test
    public void englishCutsAfterPeriodSpace() {
        List<String> parts = TextSplitter.chars("Returns are free. Refunds take 3 days. Call us anytime.", 40);
        assertEquals(parts.get(0), "Returns are free. Refunds take 3 days.");
        assertEquals(parts.get(1), "Call us anytime.");
    }

    @Test
    public void versionNumbersAreNotSentenceEnds() {
        List<String> parts = TextSplitter.chars("Install version 2.5 and restart the service now please", 30);
        assertTrue(!parts.get(0).endsWith("2."), "no cut inside 2.5: " + parts);
    }

    @Test
    public void fallsBackToCommasThenHardCuts() {
        List<String> parts = TextSplitter.utf8Bytes("一二三四五六七八九十，一二三四五六七八九十一二三四五六七八九十", 40);
        assertEquals(parts.get(0), "一二三四五六七八九十，");
        List<String> hard = TextSplitter.utf8Bytes("字".repeat(100), 30);
        assertEquals(hard.size(), 10, "3-byte characters, 10 per 30 bytes");
        assertEquals(String.join("", hard), "字".repeat(100));
    }

    @Test
    public void neverSplitsASurrogatePair() {
        String emoji = "😀".repeat(20);
        for (String p : TextSplitter.chars(emoji, 9)) {
            assertTrue(!Character.isHighSurrogate(p.charAt(p.length() - 1)), "pair kept whole");
        }
        assertEquals(String.join("", TextSplitter.utf8Bytes(emoji, 10)), emoji);
    }
}

package dev.botgate.knowledge.index;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import dev.botgate.knowledge.ingest.Chunk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Teaching a base without re-importing (what the review queue does): a similar phrasing added to a Q&amp;A entry, and
 * a new entry written, are searchable at once, on the real embedder and index.
 */
public class TeachingTest {
    private KnowledgeBases bases;

    @BeforeClass
    public void open() throws IOException {
        Path root = TestModel.tempDir("teach-test");
        bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults());
        bases.create("faq");
        bases.write("faq", TestDocs.qa("faq.csv", List.of(
                List.of("怎么退货？", "收到商品7天内可在订单页申请退货。", "如何申请退货"),
                List.of("发票怎么开？", "在订单页点击申请发票。"))), Set.of());
        bases.write("faq", TestDocs.passages("policy.md", List.of("运费"), "质量问题退货运费由商家承担。"), Set.of());
    }

    @AfterClass(alwaysRun = true)
    public void close() {
        bases.close();
    }

    private String chunkOf(String question) {
        return search(question).stream().filter(h -> h.question().equals(question)).findFirst().orElseThrow()
                .chunkId();
    }

    private List<SearchHit> search(String q) {
        return bases.search(SearchRequest.builder(q).bases("faq").top(5).minScore(Double.NEGATIVE_INFINITY).build());
    }

    @Test
    public void aPhrasingAddedToAnEntryAnswersThatQuestionDirectly() {
        String q = "I changed my mind about the sofa, can it go back";
        String returns = chunkOf("怎么退货？");
        int documents = bases.documents("faq").size();
        ChunkInfo updated = bases.addPhrasings("faq", returns, List.of(q, "如何申请退货", "  "));
        assertEquals(updated.questions().subList(0, 2), List.of("怎么退货？", "如何申请退货"), "the question stays first");
        assertEquals(updated.questions().stream().filter(x -> x.equals(q)).count(), 1L, "appended once");
        assertEquals(updated.questions().stream().filter(x -> x.equals("如何申请退货")).count(), 1L,
                "a phrasing it already has is skipped");
        assertFalse(updated.questions().stream().anyMatch(String::isBlank), "blanks skipped");
        assertTrue(updated.text().contains(q + "\n"), "the phrasing is in the searchable text: " + updated.text());
        assertTrue(updated.text().endsWith("收到商品7天内可在订单页申请退货。"), updated.text());
        SearchHit top = search(q).getFirst();
        assertEquals(top.chunkId(), returns, "the taught question finds its entry");
        assertTrue(top.directAnswer(), "and is answered with it directly");
        assertEquals(top.answer(), "收到商品7天内可在订单页申请退货。");
        String doc = returns.substring(0, returns.indexOf('#'));
        assertEquals(bases.chunks("faq", doc).size(), 2, "the document's other entry is kept");
        assertTrue(search("发票怎么开").getFirst().question().equals("发票怎么开？"), "and still found");
        assertEquals(bases.documents("faq").size(), documents, "no document added or lost");
    }

    @Test
    public void reimportingTheSameFileKeepsTaughtPhrasings() {
        String returns = chunkOf("怎么退货？");
        bases.addPhrasings("faq", returns, List.of("东西不想要了"));
        WriteResult again = bases.write("faq", TestDocs.qa("faq.csv", List.of(
                List.of("怎么退货？", "收到商品7天内可在订单页申请退货。", "如何申请退货"),
                List.of("发票怎么开？", "在订单页点击申请发票。"))), Set.of());
        assertEquals(again, WriteResult.UNCHANGED, "same content hash: nothing rewritten");
        String doc = returns.substring(0, returns.indexOf('#'));
        assertTrue(bases.chunks("faq", doc).getFirst().questions().contains("东西不想要了"));
    }

    @Test
    public void aNewEntryIsSearchableAtOnce() {
        ChunkInfo entry = bases.addEntry("faq", "review/1", "客服补充", "周末有人上班吗", "周末正常上班，9:00-18:00。",
                Set.of("review"));
        assertEquals(entry.kind(), Chunk.Kind.QA);
        SearchHit top = search("周末有人上班吗").getFirst();
        assertEquals(top.chunkId(), entry.id());
        assertTrue(top.directAnswer());
        assertEquals(top.title(), "客服补充");
        assertTrue(bases.documents("faq").stream().anyMatch(d -> d.source().equals("review/1")
                && d.tags().contains("review")), "a document of its own, tagged");
        expectThrows(KnowledgeException.class, () -> bases.addEntry("faq", "review/2", "t", " ", "answer", Set.of()));
    }

    @Test
    public void onlyQaEntriesTakePhrasings() {
        String passage = search("运费谁出").stream().filter(h -> h.kind() == Chunk.Kind.PASSAGE).findFirst()
                .orElseThrow().chunkId();
        KnowledgeException e = expectThrows(KnowledgeException.class,
                () -> bases.addPhrasings("faq", passage, List.of("运费谁出")));
        assertTrue(e.getMessage().contains("not a Q&A entry"), e.getMessage());
        assertTrue(expectThrows(KnowledgeException.class, () -> bases.addPhrasings("faq", "0000000000000000#0",
                List.of("x"))).getMessage().contains("no entry"));
        assertTrue(expectThrows(KnowledgeException.class, () -> bases.addPhrasings("faq", "nohash",
                List.of("x"))).getMessage().contains("not a chunk id"));
        assertFalse(search("运费谁出").isEmpty());
    }
}

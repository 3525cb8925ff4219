package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Document;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class KnowledgeBasesTest {
    private Path root;
    private KnowledgeBases bases;

    @BeforeClass
    public void open() throws IOException {
        root = TestModel.tempDir("kb-test");
        bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults());
    }

    @AfterClass(alwaysRun = true)
    public void close() {
        bases.close();
    }

    @Test
    public void createListAndDelete() {
        BaseInfo created = bases.create("售后-kb_1");
        assertEquals(created.documents(), 0, "a new base is empty");
        assertEquals(created.modelId(), "bge-small-zh-v1.5", "the model is recorded");
        assertTrue(bases.list().stream().anyMatch(b -> b.name().equals("售后-kb_1")), "listed after create");
        bases.write("售后-kb_1", TestDocs.passages("a.md", List.of(), "退货需要在七天内申请。"), Set.of());
        BaseInfo info = bases.info("售后-kb_1");
        assertEquals(info.documents(), 1, "one document");
        assertEquals(info.chunks(), 1, "one chunk");
        assertTrue(info.sizeBytes() > 0, "size on disk is counted");
        bases.delete("售后-kb_1");
        assertFalse(bases.list().stream().anyMatch(b -> b.name().equals("售后-kb_1")), "gone after delete");
        assertFalse(Files.exists(root.resolve("售后-kb_1")), "its directory is removed");
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.info("售后-kb_1"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    public void refusesNamesThatCouldEscapeTheRoot() {
        for (String bad : List.of("../etc", "a/b", "", ".hidden", "a b", "-x", "a".repeat(65))) {
            KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.create(bad));
            assertTrue(e.getMessage().contains("not a valid knowledge base name"), bad + ": " + e.getMessage());
        }
    }

    @Test
    public void refusesADuplicateName() {
        bases.create("dup");
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.create("dup"));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    public void findsTheRightChunkInAMixedSetWithItsContext() {
        String kb = "mixed";
        bases.create(kb);
        bases.write(kb, TestDocs.passages("policy.md", List.of("退货政策", "运费"),
                "因质量问题退货的，来回运费由商家承担。",
                "非质量问题退货的，寄回运费由买家承担。"), Set.of());
        bases.write(kb, TestDocs.passages("invoice.md", List.of("发票"),
                "电子发票在订单完成后24小时内开具，可在订单详情页下载。"), Set.of());
        bases.write(kb, TestDocs.qa("faq.csv", List.of(
                List.of("会员积分怎么用？", "积分可在结算时抵扣现金，100积分抵1元。"),
                List.of("如何修改收货地址？", "订单发货前可在订单详情页修改地址。"))), Set.of());

        List<SearchHit> hits = bases.search(SearchRequest.builder("质量问题退货，来回运费是商家出吗").bases(kb).build());
        assertFalse(hits.isEmpty(), "a relevant query finds something");
        SearchHit top = hits.getFirst();
        assertEquals(top.text(), "因质量问题退货的，来回运费由商家承担。", "the matching passage ranks first");
        assertEquals(top.title(), "policy.md", "the hit names its document");
        assertEquals(top.headingPath(), List.of("退货政策", "运费"), "and its heading path");
        assertTrue(top.highlighted().contains("<em>商家</em>"), "matched words are marked: " + top.highlighted());
        assertTrue(top.keywordRank() == 1 && top.vectorRank() >= 1, "ranks in both lists are reported");
        assertTrue(top.keywordScore() > 0 && top.keywordScore() <= 1, "keyword evidence is 0..1");
        assertTrue(top.vectorSimilarity() > 0.5, "vector similarity is a cosine: " + top.vectorSimilarity());
    }

    @Test
    public void sameContentAgainChangesNothingAndChangedContentReplaces() {
        String kb = "dedupe";
        bases.create(kb);
        Document v1 = TestDocs.passages("guide.md", List.of(), "旧版本：保修期为一年。", "第二段：联系客服。");
        assertEquals(bases.write(kb, v1, Set.of()), WriteResult.ADDED, "first write adds");
        String id = bases.documents(kb).getFirst().id();
        assertEquals(bases.write(kb, v1, Set.of()), WriteResult.UNCHANGED, "same hash changes nothing");
        assertEquals(bases.info(kb).chunks(), 2, "no duplicate chunks");

        Document v2 = TestDocs.passages("guide.md", List.of(), "新版本：保修期延长为两年。");
        assertEquals(bases.write(kb, v2, Set.of()), WriteResult.REPLACED, "changed hash replaces");
        assertEquals(bases.documents(kb).size(), 1, "still one document");
        assertEquals(bases.documents(kb).getFirst().id(), id, "the id is stable across versions");
        List<ChunkInfo> chunks = bases.chunks(kb, id);
        assertEquals(chunks.size(), 1, "old chunks are gone");
        assertEquals(chunks.getFirst().text(), "新版本：保修期延长为两年。", "the new text is stored");
        assertTrue(bases.search(SearchRequest.builder("旧版本").bases(kb).fusion(Fusion.KEYWORD).build()).isEmpty(),
                "the old text is no longer found");
    }

    @Test
    public void deletedDocumentsDisappearFromListsAndSearch() {
        String kb = "deldoc";
        bases.create(kb);
        bases.write(kb, TestDocs.passages("keep.md", List.of(), "保留的文档讲发票。"), Set.of());
        bases.write(kb, TestDocs.passages("drop.md", List.of(), "要删除的文档讲积分兑换。"), Set.of());
        String drop = bases.documents(kb).stream().filter(d -> d.source().equals("drop.md")).findFirst()
                .orElseThrow().id();
        assertTrue(bases.deleteDocument(kb, drop), "delete reports it existed");
        assertFalse(bases.deleteDocument(kb, drop), "a second delete finds nothing");
        assertEquals(bases.documents(kb).size(), 1, "one document left");
        assertTrue(bases.chunks(kb, drop).isEmpty(), "its chunks are gone");
        List<SearchHit> hits = bases.search(SearchRequest.builder("积分兑换").bases(kb)
                .minScore(Double.NEGATIVE_INFINITY).build());
        assertTrue(hits.stream().noneMatch(h -> h.documentId().equals(drop)), "not found any more");
    }

    @Test
    public void anExactCodeFindsItsChunkAmongSimilarOnes() {
        String kb = "codes";
        bases.create(kb);
        String[] codes = {"SKU-12344", "SKU-12345", "SKU-12346", "SKU-12354", "SKU-21345", "SKU-1234"};
        String[] texts = new String[codes.length];
        for (int i = 0; i < codes.length; i++) {
            texts[i] = "商品编号 " + codes[i] + " 的无线充电器，功率15W，支持快充。";
        }
        bases.write(kb, TestDocs.passages("catalog.md", List.of("商品目录"), texts), Set.of());
        for (String query : List.of("SKU-12345", "sku-12345 多少钱", "SKU-12345的功率")) {
            SearchHit top = bases.search(SearchRequest.builder(query).bases(kb).build()).getFirst();
            assertTrue(top.text().contains("SKU-12345 "), query + " -> " + top.text());
        }
    }

    @Test
    public void synonymsMakeOneWordFindTheOther() {
        String kb = "syn";
        bases.create(kb);
        bases.write(kb, TestDocs.passages("refund.md", List.of(), "退款会在三个工作日内原路返回。"), Set.of());
        SearchRequest keywordOnly = SearchRequest.builder("退钱").bases(kb).fusion(Fusion.KEYWORD)
                .minScore(Double.NEGATIVE_INFINITY).build();
        assertTrue(bases.search(keywordOnly).isEmpty(), "without synonyms 退钱 does not match 退款");
        bases.synonyms(kb, List.of("# comments are ignored", "退款,退钱"));
        List<SearchHit> hits = bases.search(keywordOnly);
        assertEquals(hits.size(), 1, "with 退款,退钱 the query 退钱 matches");
        assertTrue(hits.getFirst().highlighted().contains("<em>退款</em>"), hits.getFirst().highlighted());
        assertEquals(bases.synonyms(kb), List.of("退款,退钱"), "rules are stored");
    }

    @Test
    public void aBadSynonymRuleIsRefusedWithAHint() {
        String kb = "badsyn";
        bases.create(kb);
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.synonyms(kb, List.of("=> 退款")));
        assertTrue(e.getMessage().contains("one rule a line"), e.getMessage());
    }

    @Test
    public void userDictionaryWordsMatchWhole() {
        String kb = "dict";
        bases.create(kb);
        bases.write(kb, TestDocs.passages("pay.md", List.of(),
                "支付宝付款后可在账单中查看记录。",
                "支付方式说明：宝贝发货前可以更换支付方式，宝贝支付成功后不能更改，支付遇到问题请联系客服。"),
                Set.of());
        bases.userDictionary(kb, List.of("支付宝"));
        assertEquals(bases.userDictionary(kb), List.of("支付宝"), "the dictionary is stored");
        List<SearchHit> hits = bases.search(SearchRequest.builder("支付宝").bases(kb).fusion(Fusion.KEYWORD)
                .minScore(Double.NEGATIVE_INFINITY).build());
        assertTrue(hits.getFirst().text().startsWith("支付宝付款"), "the whole word ranks first: " + hits);
        assertTrue(hits.getFirst().keywordScore() > 2 * hits.get(1).keywordScore(),
                "and far ahead of a text that only has 支付 and 宝: " + hits.getFirst().keywordScore() + " vs "
                        + hits.get(1).keywordScore());
        assertTrue(hits.getFirst().highlighted().contains("<em>支付宝</em>"), hits.getFirst().highlighted());
    }

    @Test
    public void userDictionaryRefusesWordsWithSpaces() {
        String kb = "baddict";
        bases.create(kb);
        assertThrows(KnowledgeException.class, () -> bases.userDictionary(kb, List.of("支付 宝")));
    }

    @Test
    public void aCloseQuestionIsADirectAnswerAndAFarOneIsNot() {
        String kb = "qa";
        bases.create(kb);
        bases.write(kb, TestDocs.qa("faq.csv", List.of(
                List.of("如何申请开具发票？", "在订单详情页点击“申请发票”，填写抬头后提交。", "怎么开发票"),
                List.of("运费怎么算？", "订单满99元包邮，不满收取8元运费。"))), Set.of());
        SearchHit hit = bases.search(SearchRequest.builder("怎么开发票？").bases(kb).build()).getFirst();
        assertTrue(hit.directAnswer(), "a phrasing of the question is a direct answer: " + hit);
        assertEquals(hit.text(), "在订单详情页点击“申请发票”，填写抬头后提交。", "a Q&A hit returns its answer");
        assertEquals(hit.question(), "如何申请开具发票？", "and names its question");
        List<SearchHit> far = bases.search(SearchRequest.builder("你们的仓库在哪个城市").bases(kb)
                .minScore(Double.NEGATIVE_INFINITY).build());
        assertTrue(far.stream().noneMatch(SearchHit::directAnswer), "an unrelated question is no direct answer");
    }

    @Test
    public void theThresholdDropsUnrelatedQueriesButNotRelatedOnes() {
        String kb = "threshold";
        bases.create(kb);
        bases.write(kb, TestDocs.qa("faq.csv", List.of(
                List.of("如何申请退货？", "签收后7天内在订单页申请退货。"),
                List.of("发票怎么开？", "在订单详情页申请电子发票。"))), Set.of());
        assertTrue(bases.search(SearchRequest.builder("红烧肉怎么做").bases(kb).build()).isEmpty(),
                "an unrelated query scores under the default threshold");
        assertFalse(bases.search(SearchRequest.builder("红烧肉怎么做").bases(kb)
                .minScore(Double.NEGATIVE_INFINITY).build()).isEmpty(), "without a threshold it returns candidates");
        List<SearchHit> related = bases.search(SearchRequest.builder("我想退货").bases(kb).build());
        assertFalse(related.isEmpty(), "a related query passes the threshold");
        assertTrue(related.getFirst().score() >= SearchRequest.DEFAULT_MIN_SCORE, "its score is above it");
    }

    @Test
    public void filtersByDocumentAndTag() {
        String kb = "filters";
        bases.create(kb);
        bases.write(kb, TestDocs.passages("a.md", List.of(), "A 产品的保修期为一年。"), Set.of("product-a"));
        bases.write(kb, TestDocs.passages("b.md", List.of(), "B 产品的保修期为两年。"), Set.of("product-b"));
        String a = bases.documents(kb).stream().filter(d -> d.source().equals("a.md")).findFirst().orElseThrow().id();
        SearchRequest.Builder q = SearchRequest.builder("保修期").bases(kb).minScore(Double.NEGATIVE_INFINITY);
        assertEquals(bases.search(q.build()).size(), 2, "no filter: both");
        List<SearchHit> byDoc = bases.search(q.documentIds(Set.of(a)).build());
        assertEquals(byDoc.size(), 1, "document filter keeps one");
        assertEquals(byDoc.getFirst().documentId(), a, "the named document");
        List<SearchHit> byTag = bases.search(SearchRequest.builder("保修期").bases(kb)
                .minScore(Double.NEGATIVE_INFINITY).tags(Set.of("product-b")).build());
        assertEquals(byTag.size(), 1, "tag filter keeps one");
        assertEquals(byTag.getFirst().source(), "b.md", "the tagged document");
        assertEquals(bases.documents(kb).stream().filter(d -> d.source().equals("b.md")).findFirst().orElseThrow()
                .tags(), Set.of("product-b"), "tags are stored with the document");
    }

    @Test
    public void searchesSeveralBasesAtOnce() {
        bases.create("multi-1");
        bases.create("multi-2");
        bases.write("multi-1", TestDocs.passages("x.md", List.of(), "会员等级分为银卡和金卡。"), Set.of());
        bases.write("multi-2", TestDocs.passages("y.md", List.of(), "金卡会员享受免运费。"), Set.of());
        List<SearchHit> hits = bases.search(SearchRequest.builder("金卡会员").bases("multi-1", "multi-2")
                .minScore(Double.NEGATIVE_INFINITY).build());
        assertEquals(hits.stream().map(SearchHit::base).distinct().count(), 2L, "hits come from both bases");
        assertTrue(hits.get(0).score() >= hits.get(1).score(), "merged by score");
    }

    @Test
    public void badSearchInputIsRefusedWithAReason() {
        KnowledgeException empty = expectThrows(KnowledgeException.class,
                () -> SearchRequest.builder("  ").bases("x").build());
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        KnowledgeException top = expectThrows(KnowledgeException.class,
                () -> SearchRequest.builder("q").bases("x").top(0).build());
        assertTrue(top.getMessage().contains("top must be"), top.getMessage());
        KnowledgeException unknown = expectThrows(KnowledgeException.class,
                () -> bases.search(SearchRequest.builder("q").bases("nope").build()));
        assertTrue(unknown.getMessage().contains("does not exist"), unknown.getMessage());
    }
}

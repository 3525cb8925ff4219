package dev.botgate.knowledge.index;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Issue 9: one synonym rule of 20,000 terms took over 60 s and 4.6 GB, was saved, and then cost 43 s and 3.6 GB at
 * every start. Rules, terms per rule and total size are bounded, and a bad saved list never keeps a base from opening.
 */
public class SynonymBoundsTest {
    private Path root;
    private KnowledgeBases bases;

    @BeforeClass
    public void open() {
        root = TestModel.tempDir("kb-syn-bounds");
        bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults());
        bases.create("b");
    }

    @AfterClass(alwaysRun = true)
    public void close() {
        bases.close();
    }

    private static String rule(int terms, String prefix) {
        StringJoiner j = new StringJoiner(",");
        for (int i = 0; i < terms; i++) {
            j.add(prefix + i);
        }
        return j.toString();
    }

    @Test
    public void aRuleOfTwentyThousandTermsIsRefusedAtOnceNamingTheLimit() {
        long start = System.nanoTime();
        KnowledgeException e = expectThrows(KnowledgeException.class,
                () -> bases.synonyms("b", List.of("退款,退钱", rule(20_000, "词"))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("synonym rule 2") && e.getMessage().contains("at most 32 terms per rule"),
                e.getMessage());
        assertTrue(millis < 1_000, "refused before Lucene builds anything, took " + millis + " ms");
        assertEquals(bases.synonyms("b"), List.of(), "nothing was saved");
    }

    @Test
    public void tooManyRulesOrTooMuchTextIsRefusedNamingTheLimit() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < Analyzers.MAX_SYNONYM_RULES + 1; i++) {
            many.add("a" + i + ",b" + i);
        }
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.synonyms("b", many));
        assertTrue(e.getMessage().contains("at most " + Analyzers.MAX_SYNONYM_RULES), e.getMessage());
        List<String> long_ = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long_.add("x".repeat(400) + i + ",y" + i);
        }
        e = expectThrows(KnowledgeException.class, () -> bases.synonyms("b", long_));
        assertTrue(e.getMessage().contains("at most " + Analyzers.MAX_SYNONYM_CHARS + " characters"), e.getMessage());
    }

    @Test
    public void theLargestAllowedListBuildsQuickly() {
        // As many 32-term rules as the size bound allows: the worst case of n² mappings within the bounds.
        List<String> rules = new ArrayList<>();
        int chars = 0;
        for (int i = 0; ; i++) {
            String r = rule(Analyzers.MAX_TERMS_PER_RULE, "w" + i + "x");
            if (chars + r.length() + 1 > Analyzers.MAX_SYNONYM_CHARS || rules.size() == Analyzers.MAX_SYNONYM_RULES) {
                break;
            }
            chars += r.length() + 1;
            rules.add(r);
        }
        long start = System.nanoTime();
        bases.synonyms("b", rules);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(rules.size() + " rules of " + Analyzers.MAX_TERMS_PER_RULE + " terms built in " + millis
                + " ms");
        assertEquals(bases.synonyms("b").size(), rules.size(), "saved");
        assertTrue(millis < 10_000, "bounded build, took " + millis + " ms");
        bases.synonyms("b", List.of());
    }

    @Test
    public void theDictionaryIsBoundedToo() {
        List<String> words = new ArrayList<>();
        for (int i = 0; i <= UserDictionary.MAX_WORDS; i++) {
            words.add("词" + i);
        }
        KnowledgeException e = expectThrows(KnowledgeException.class, () -> bases.userDictionary("b", words));
        assertTrue(e.getMessage().contains("at most " + UserDictionary.MAX_WORDS), e.getMessage());
    }

    @Test
    public void aBadSavedListIsSkippedWithOneWarningAndTheBaseStillOpens() throws Exception {
        Path otherRoot = TestModel.tempDir("kb-syn-restart");
        try (KnowledgeBases first = new KnowledgeBases(otherRoot, TestModel.embedder(), KnowledgeOptions.defaults())) {
            first.create("shop");
            first.write("shop", TestDocs.passages("refund.md", List.of(), "退款会在三个工作日内原路返回。"), Set.of());
        }
        // What an older version saved without bounds, and a hand-edited dictionary that does not parse.
        Files.writeString(otherRoot.resolve("shop").resolve(KnowledgeBase.SYNONYMS_FILE), rule(20_000, "词") + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(otherRoot.resolve("shop").resolve(KnowledgeBase.USER_DICTIONARY_FILE), "two words\n",
                StandardCharsets.UTF_8);
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(KnowledgeBase.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        long start = System.nanoTime();
        try (KnowledgeBases reopened = new KnowledgeBases(otherRoot, TestModel.embedder(),
                KnowledgeOptions.defaults())) {
            assertEquals(reopened.info("shop").documents(), 1, "the base opens with its documents");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "the bad list costs nothing at start, took " + millis + " ms");
            assertEquals(reopened.synonyms("shop"), List.of(), "the bad synonym list is not applied");
            assertEquals(reopened.userDictionary("shop"), List.of(), "the bad dictionary is not applied");
            assertEquals(reopened.search(SearchRequest.builder("退款").bases("shop").build()).size(), 1,
                    "search works");
            reopened.synonyms("shop", List.of("退款,退钱"));
            assertEquals(reopened.synonyms("shop"), List.of("退款,退钱"), "a good list replaces the bad one");
        } finally {
            log.removeHandler(capture);
        }
        assertEquals(warnings.size(), 2, "one line per skipped file: " + warnings.stream().map(LogRecord::getMessage)
                .toList());
        String synonyms = warnings.stream().map(LogRecord::getMessage).filter(m -> m.contains("synonym")).findFirst()
                .orElseThrow();
        assertTrue(synonyms.contains("'shop'") && synonyms.contains("PUT /admin/kb/shop/synonyms"), synonyms);
        assertTrue(warnings.stream().allMatch(r -> r.getThrown() == null), "no stack trace");
    }
}

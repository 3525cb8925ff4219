package dev.botgate.knowledge.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;

import java.io.IOException;
import java.io.StringReader;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The analysis of one knowledge base: SmartChineseAnalyzer's chain for the text field (with the base's synonyms
 * at query time), an identifier field that keeps codes whole, and the user-dictionary field.
 *
 * <p>Synonyms are expanded at query time only: an edit then applies at once, without re-indexing, and an
 * equivalence list (退款,退钱) matches in both directions all the same.
 */
final class Analyzers {
    /**
     * Bounds on synonym rules. Lucene expands an equivalence rule of n terms into n² mappings at build time: one rule
     * of 20,000 terms took over 60 s and 4.6 GB (and again at every start, once saved). Within these bounds the
     * largest list builds in well under a second (KnowledgeBasesTest).
     */
    static final int MAX_SYNONYM_RULES = 2_000;
    static final int MAX_TERMS_PER_RULE = 32;
    static final int MAX_SYNONYM_CHARS = 64 * 1024;
    /** Codes, model numbers and English words: runs of letters and digits joined by - _ . / */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)*");

    private final Analyzer chinese = chinese(null);
    private final Analyzer identifiers = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String field) {
            Tokenizer tokenizer = new PatternTokenizer(IDENTIFIER, 0);
            return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
        }
    };
    private volatile UserDictionary dictionary = UserDictionary.EMPTY;
    private final Analyzer dictionaryWords = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String field) {
            return new TokenStreamComponents(new DictionaryTokenizer(() -> dictionary));
        }
    };
    private volatile Analyzer chineseQuery = chinese;
    private volatile List<String> synonymLines = List.of();

    /** The analyzer IndexWriter uses: one per field. */
    Analyzer indexAnalyzer() {
        return new PerFieldAnalyzerWrapper(chinese, Map.of(
                ChunkFields.IDENT, identifiers, ChunkFields.DICT, dictionaryWords));
    }

    Analyzer chineseQuery() {
        return chineseQuery;
    }

    Analyzer identifiers() {
        return identifiers;
    }

    Analyzer dictionaryWords() {
        return dictionaryWords;
    }

    UserDictionary dictionary() {
        return dictionary;
    }

    void dictionary(UserDictionary dictionary) {
        this.dictionary = dictionary;
    }

    List<String> synonyms() {
        return synonymLines;
    }

    /**
     * Sets synonym rules in Solr's format: {@code 退款,退钱} (equivalent) or {@code 退钱 => 退款} (one way).
     * Refuses a line that does not parse, naming it, and a list over the bounds above, naming the bound.
     */
    void synonyms(List<String> lines) {
        List<String> kept = lines.stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        checkBounds(kept);
        if (kept.isEmpty()) {
            chineseQuery = chinese;
            synonymLines = List.of();
            return;
        }
        SynonymMap map;
        try {
            SolrSynonymParser parser = new SolrSynonymParser(true, true, chinese);
            parser.parse(new StringReader(String.join("\n", kept)));
            map = parser.build();
        } catch (ParseException | IOException | IllegalArgumentException e) {
            throw new KnowledgeException("cannot read the synonym list: " + e.getMessage()
                    + "; write one rule a line, like '退款,退钱' or '退钱 => 退款'", e);
        }
        chineseQuery = chinese(map);
        synonymLines = kept;
    }

    /** Checks the bounds before Lucene sees the rules: its build is where the time and memory go. */
    static void checkBounds(List<String> rules) {
        if (rules.size() > MAX_SYNONYM_RULES) {
            throw new KnowledgeException("the synonym list has " + rules.size() + " rules; at most "
                    + MAX_SYNONYM_RULES + " are allowed");
        }
        long chars = 0;
        for (int i = 0; i < rules.size(); i++) {
            String rule = rules.get(i);
            int terms = 1;
            for (int c = 0; c < rule.length(); c++) {
                if (rule.charAt(c) == ',' || rule.startsWith("=>", c)) {
                    terms++;
                }
            }
            if (terms > MAX_TERMS_PER_RULE) {
                throw new KnowledgeException("synonym rule " + (i + 1) + " ('" + clip(rule) + "') has " + terms
                        + " terms; at most " + MAX_TERMS_PER_RULE + " terms per rule are allowed (an equivalence "
                        + "rule of n terms costs n² mappings): split it into smaller groups");
            }
            chars += rule.length() + 1;
            if (chars > MAX_SYNONYM_CHARS) {
                throw new KnowledgeException("the synonym list is over " + MAX_SYNONYM_CHARS / 1024
                        + " KiB of text; at most " + MAX_SYNONYM_CHARS + " characters are allowed");
            }
        }
    }

    private static String clip(String rule) {
        return rule.length() <= 40 ? rule : rule.substring(0, 40) + "…";
    }

    private static Analyzer chinese(SynonymMap synonyms) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                // SmartChineseAnalyzer's own chain, plus lowercasing and the synonym graph.
                Tokenizer tokenizer = new HMMChineseTokenizer();
                TokenStream stream = new LowerCaseFilter(tokenizer);
                stream = new PorterStemFilter(stream);
                stream = new StopFilter(stream, SmartChineseAnalyzer.getDefaultStopSet());
                if (synonyms != null) {
                    stream = new SynonymGraphFilter(stream, synonyms, true);
                }
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
    }
}

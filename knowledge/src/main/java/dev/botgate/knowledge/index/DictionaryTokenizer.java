package dev.botgate.knowledge.index;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** Emits only the user-dictionary words found in the text (longest match), so each is one searchable term. */
final class DictionaryTokenizer extends Tokenizer {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private final Supplier<UserDictionary> dictionary;
    private String text = "";
    private List<int[]> matches = List.of();
    private int next;

    DictionaryTokenizer(Supplier<UserDictionary> dictionary) {
        this.dictionary = dictionary;
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        StringBuilder sb = new StringBuilder();
        char[] buffer = new char[4096];
        int read;
        while ((read = input.read(buffer)) > 0) {
            sb.append(buffer, 0, read);
        }
        // Read the dictionary per text so an edit applies to the next document without rebuilding analyzers.
        text = sb.toString().toLowerCase(Locale.ROOT);
        matches = dictionary.get().find(text);
        next = 0;
    }

    @Override
    public boolean incrementToken() {
        if (next >= matches.size()) {
            return false;
        }
        clearAttributes();
        int[] m = matches.get(next++);
        term.setEmpty().append(text, m[0], m[1]);
        offset.setOffset(correctOffset(m[0]), correctOffset(m[1]));
        return true;
    }

    @Override
    public void end() throws IOException {
        super.end();
        int last = correctOffset(text.length());
        offset.setOffset(last, last);
    }
}

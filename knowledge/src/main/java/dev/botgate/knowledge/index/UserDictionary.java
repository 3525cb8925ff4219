package dev.botgate.knowledge.index;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Words a knowledge base wants kept whole (支付宝, product names) that SmartChineseAnalyzer's built-in dictionary
 * splits. Found in text by longest match, left to right, case-insensitively.
 */
final class UserDictionary {
    static final int MAX_WORD_CHARS = 32;
    /** Most words in one dictionary: each edit re-indexes the base, and every word is looked up while tokenising. */
    static final int MAX_WORDS = 20_000;
    static final UserDictionary EMPTY = new UserDictionary(Set.of());

    private final Set<String> words;
    private final int longest;

    private UserDictionary(Set<String> words) {
        this.words = words;
        this.longest = words.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Validates and normalises words: trimmed, lowercased, no whitespace, 2..32 characters, at most 20,000. */
    static UserDictionary of(Collection<String> raw) {
        Set<String> words = new TreeSet<>();
        for (String line : raw) {
            String word = line.strip().toLowerCase(Locale.ROOT);
            if (word.isEmpty() || word.startsWith("#")) {
                continue;
            }
            if (word.codePoints().anyMatch(Character::isWhitespace)) {
                throw new KnowledgeException("dictionary word '" + word + "' contains whitespace; put one word a line");
            }
            if (word.length() < 2 || word.length() > MAX_WORD_CHARS) {
                throw new KnowledgeException("dictionary word '" + word + "' must be 2.." + MAX_WORD_CHARS
                        + " characters long");
            }
            words.add(word);
            if (words.size() > MAX_WORDS) {
                throw new KnowledgeException("the dictionary has more than " + MAX_WORDS + " words; at most "
                        + MAX_WORDS + " are allowed");
            }
        }
        return new UserDictionary(Set.copyOf(words));
    }

    List<String> words() {
        return List.copyOf(new TreeSet<>(words));
    }

    boolean isEmpty() {
        return words.isEmpty();
    }

    /** Non-overlapping longest matches in already lowercased text, as {start, end} pairs. */
    List<int[]> find(String lowercased) {
        List<int[]> found = new ArrayList<>();
        if (words.isEmpty()) {
            return found;
        }
        int i = 0;
        int n = lowercased.length();
        while (i < n) {
            int matched = 0;
            for (int len = Math.min(longest, n - i); len >= 2; len--) {
                if (words.contains(lowercased.substring(i, i + len))) {
                    matched = len;
                    break;
                }
            }
            if (matched > 0) {
                found.add(new int[] {i, i + matched});
                i += matched;
            } else {
                i++;
            }
        }
        return found;
    }
}

package dev.botgate.knowledge.ingest;

import java.util.regex.Pattern;

/** Small text normalisations shared by the format readers. */
final class Text {
    private static final Pattern SPACES = Pattern.compile("[\\s\\u00A0\\u3000]+");
    private static final Pattern INLINE_SPACES = Pattern.compile("[ \\t\\u00A0\\u3000\\x0B\\f]+");

    private Text() {
    }

    /** Every run of whitespace (newlines included) becomes one space. */
    static String collapseSpaces(String s) {
        return SPACES.matcher(s).replaceAll(" ");
    }

    /** Runs of spaces and tabs become one space; newlines are kept, trailing spaces on a line dropped. */
    static String tidyLines(String s) {
        String t = INLINE_SPACES.matcher(s.replace("\r\n", "\n").replace('\r', '\n')).replaceAll(" ");
        return t.replaceAll(" *\n *", "\n").strip();
    }

    /** CJK ideographs, kana, hangul and full-width forms: scripts written without spaces between words. */
    static boolean isCjk(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL
                || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF);
    }

    /**
     * Joins two pieces of one line of thought that were broken by layout (a wrapped line): nothing between CJK text,
     * one space between words of spaced scripts.
     */
    static String joinWrapped(String left, String right) {
        if (left.isEmpty()) {
            return right;
        }
        if (right.isEmpty()) {
            return left;
        }
        int last = left.codePointBefore(left.length());
        int first = right.codePointAt(0);
        if (Character.isWhitespace(last) || Character.isWhitespace(first) || (isCjk(last) && isCjk(first))
                || (isCjk(last) && !Character.isLetterOrDigit(first)) || (isCjk(first) && !Character.isLetterOrDigit(last))) {
            return left + right;
        }
        return left + " " + right;
    }
}

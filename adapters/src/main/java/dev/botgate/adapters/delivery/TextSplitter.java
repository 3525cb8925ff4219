package dev.botgate.adapters.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Splits a long answer into parts that each fit a platform's limit, cutting after a sentence where possible
 * (。！？!?；; and a newline, or ". "), else after a comma or space, else between characters (never inside a
 * character or a surrogate pair).
 */
public final class TextSplitter {
    private static final String SENTENCE_END = "。！？!?；;\n";
    private static final String CLAUSE_END = "，、,：: \t";
    private static final String CLOSERS = "”’」』）)]】\"'";

    private TextSplitter() {
    }

    /** Parts of at most {@code maxBytes} UTF-8 bytes each. */
    public static List<String> utf8Bytes(String text, int maxBytes) {
        return split(text, maxBytes, s -> s.getBytes(StandardCharsets.UTF_8).length);
    }

    /** Parts of at most {@code maxChars} UTF-16 chars each. */
    public static List<String> chars(String text, int maxChars) {
        return split(text, maxChars, String::length);
    }

    /** UTF-8 length of a string. */
    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static List<String> split(String text, int max, ToIntFunction<String> measure) {
        if (max < 8) {
            throw new IllegalArgumentException("limit too small: " + max);
        }
        List<String> parts = new ArrayList<>();
        String rest = text.strip();
        while (measure.applyAsInt(rest) > max) {
            int fit = longestFittingPrefix(rest, max, measure);
            int cut = lastBoundary(rest, fit, SENTENCE_END, true);
            if (cut < fit / 3) {
                int clause = lastBoundary(rest, fit, CLAUSE_END, false);
                cut = clause >= fit / 3 ? clause : Math.max(cut, clause);
            }
            if (cut <= 0) {
                cut = fit;
            }
            String part = rest.substring(0, cut).strip();
            if (!part.isEmpty()) {
                parts.add(part);
            }
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) {
            parts.add(rest);
        }
        return parts;
    }

    /** The char length of the longest prefix that fits, ending on a code point boundary. */
    private static int longestFittingPrefix(String s, int max, ToIntFunction<String> measure) {
        int lo = 0;
        int hi = s.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (measure.applyAsInt(s.substring(0, mid)) <= max) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (lo > 0 && lo < s.length() && Character.isHighSurrogate(s.charAt(lo - 1))) {
            lo--;
        }
        return lo;
    }

    /** Index just after the last boundary char within [0, limit), plus closing quotes that still fit; 0 if none. */
    private static int lastBoundary(String s, int limit, String boundaries, boolean sentence) {
        for (int i = limit - 1; i > 0; i--) {
            char c = s.charAt(i);
            boolean hit = boundaries.indexOf(c) >= 0;
            if (!hit && sentence && c == '.' && i + 1 < s.length() && Character.isWhitespace(s.charAt(i + 1))) {
                hit = true;
            }
            if (hit) {
                int end = i + 1;
                while (end < limit && CLOSERS.indexOf(s.charAt(end)) >= 0) {
                    end++;
                }
                return end;
            }
        }
        return 0;
    }
}

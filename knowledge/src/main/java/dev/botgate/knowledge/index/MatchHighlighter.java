package dev.botgate.knowledge.index;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Marks the query's matched terms in a chunk's text with {@code <em>…</em>}, HTML-escaping the rest. Works on the
 * surface text rather than re-analysing it, so it costs microseconds per hit; single characters are marked only
 * when the query has no longer term, since 的 or 是 everywhere would hide what matched.
 */
final class MatchHighlighter {
    private MatchHighlighter() {
    }

    static String highlight(String text, Collection<String> terms) {
        List<String> sorted = terms.stream().map(t -> t.toLowerCase(Locale.ROOT)).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        boolean hasLong = sorted.stream().anyMatch(t -> t.length() >= 2);
        String lower = text.toLowerCase(Locale.ROOT);
        // toLowerCase may change length for a few scripts; then offsets do not line up, so mark nothing.
        boolean aligned = lower.length() == text.length();
        boolean[] marked = new boolean[text.length()];
        if (aligned) {
            for (String term : sorted) {
                if (term.isEmpty() || (hasLong && term.length() < 2)) {
                    continue;
                }
                int from = 0;
                int at;
                while ((at = lower.indexOf(term, from)) >= 0) {
                    boolean free = true;
                    for (int i = at; i < at + term.length(); i++) {
                        free &= !marked[i];
                    }
                    if (free) {
                        for (int i = at; i < at + term.length(); i++) {
                            marked[i] = true;
                        }
                    }
                    from = at + term.length();
                }
            }
        }
        StringBuilder out = new StringBuilder(text.length() + 32);
        boolean open = false;
        for (int i = 0; i < text.length(); i++) {
            if (marked[i] && !open) {
                out.append("<em>");
                open = true;
            } else if (!marked[i] && open) {
                out.append("</em>");
                open = false;
            }
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        if (open) {
            out.append("</em>");
        }
        return out.toString();
    }
}

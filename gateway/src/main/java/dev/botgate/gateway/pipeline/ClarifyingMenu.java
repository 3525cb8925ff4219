package dev.botgate.gateway.pipeline;

import java.text.Normalizer;
import java.util.List;
import java.util.Optional;

/**
 * The question a bot asks when its best Q&amp;A entries are too close to choose between: {@code 您是想问：} and one
 * numbered line per entry ({@code 1. <the entry's question>}), and the reading of the user's reply — the number, or
 * the entry's question written out.
 */
final class ClarifyingMenu {
    static final String PROMPT = "您是想问：";

    private ClarifyingMenu() {
    }

    /** The menu's text. */
    static String text(List<Passage> options) {
        StringBuilder sb = new StringBuilder(PROMPT);
        for (int i = 0; i < options.size(); i++) {
            sb.append('\n').append(i + 1).append(". ").append(options.get(i).question());
        }
        return sb.toString();
    }

    /**
     * The option the reply picks: a number 1..n (ASCII or full-width, optionally with 第…个 or a trailing dot), or
     * the option's question, compared without punctuation, spaces or case. Empty when the reply picks none (the user
     * asked something else).
     */
    static Optional<Passage> pick(List<Passage> options, String reply) {
        String r = bare(reply);
        if (r.startsWith("第")) {
            r = r.substring(1);
        }
        if (r.endsWith("个") || r.endsWith("条")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.length() == 1 && r.charAt(0) >= '1' && r.charAt(0) <= '9') {
            int n = r.charAt(0) - '0';
            return n <= options.size() ? Optional.of(options.get(n - 1)) : Optional.empty();
        }
        String text = bare(reply);
        return options.stream().filter(o -> !text.isEmpty() && bare(o.question()).equals(text)).findFirst();
    }

    /** NFKC (full-width digits and letters become ASCII), lower case, letters and digits only. */
    private static String bare(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(java.util.Locale.ROOT);
        StringBuilder out = new StringBuilder();
        n.codePoints().filter(Character::isLetterOrDigit).forEach(out::appendCodePoint);
        return out.toString();
    }
}

package dev.botgate.gateway.pipeline;

import java.util.Locale;

/**
 * How sure a bot must be before it answers: the one knob operators turn ({@code answer-mode:} per bot) instead of raw
 * scores. Each mode is a similarity threshold (the best passage's cosine similarity to the question; below it: the
 * fallback) and a margin (when the next entry's search score is within it of the best's: a clarifying menu instead of
 * a guess), both chosen by cross-validation for a target share of right answers among the answers given
 * (bench/RESULTS.md, {@code CrossValidationBench}).
 *
 * @see AnswerDecision
 */
public enum AnswerMode {
    /** Answers only when very sure (target: no wrong answer on the visible questions); falls back more often. */
    STRICT(0.71, 0.0),
    /** The default (target: 95 % of answers right). */
    BALANCED(0.64, 0.03),
    /** Answers more questions, accepting more wrong answers (target: 90 % right). */
    HELPFUL(0.56, 0.01);

    private final double threshold;
    private final double margin;

    AnswerMode(double threshold, double margin) {
        this.threshold = threshold;
        this.margin = margin;
    }

    /** Lowest similarity of the best passage that may be answered. */
    public double threshold() {
        return threshold;
    }

    /** The best entry must lead the next by at least this, or the bot asks which one was meant. */
    public double margin() {
        return margin;
    }

    /** Parses {@code strict}, {@code balanced} or {@code helpful} (any case). */
    public static AnswerMode parse(String text) {
        for (AnswerMode m : values()) {
            if (m.name().equalsIgnoreCase(text.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("must be strict, balanced or helpful, got '" + text + "'");
    }

    /** Lower-case name, as written in the configuration. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

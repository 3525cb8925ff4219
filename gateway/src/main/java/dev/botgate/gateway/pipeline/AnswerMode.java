package dev.botgate.gateway.pipeline;

import java.util.Locale;

/**
 * How sure a bot must be before it answers: the one knob operators turn ({@code answer-mode:} per bot) instead of raw
 * scores. Each mode is a search-score threshold (below it: the fallback) and a margin (when the next entry scores
 * within it of the best: a clarifying menu instead of a guess), both chosen by cross-validation for a target share
 * of right answers among the answers given (bench/RESULTS.md, {@code CrossValidationBench}).
 *
 * @see AnswerDecision
 */
public enum AnswerMode {
    /** Answers only when very sure (target: 98 % of answers right); falls back or asks more often. */
    STRICT(0.75, 0.03),
    /** The default (target: 95 % of answers right). */
    BALANCED(0.68, 0.03),
    /** Answers more questions, accepting more wrong answers (target: 90 % right). */
    HELPFUL(0.6, 0.02);

    private final double threshold;
    private final double margin;

    AnswerMode(double threshold, double margin) {
        this.threshold = threshold;
        this.margin = margin;
    }

    /** Lowest top score that may be answered. */
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

package dev.botgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The answer-or-ask-or-fallback decision, from the retrieved candidates' scores alone (the search's adaptive score is
 * on one scale across questions, which is what lets one threshold and one margin work for every question).
 */
sealed interface AnswerDecision {
    /** Most entries a clarifying menu offers. */
    int MENU_SIZE = 3;

    /** Answer from these passages (at or above the threshold, best first). */
    record Answer(List<Passage> relevant) implements AnswerDecision {
    }

    /** The best Q&amp;A entries are too close to tell apart: ask which one was meant. */
    record Clarify(List<Passage> options) implements AnswerDecision {
    }

    /** Nothing reaches the threshold. */
    record Fallback() implements AnswerDecision {
    }

    /**
     * Decides.
     *
     * @param candidates best first, unfiltered
     * @param threshold  lowest top score that may be answered
     * @param margin     the best Q&amp;A entry must lead the next distinct entry by this; 0 never asks
     */
    static AnswerDecision decide(List<Passage> candidates, double threshold, double margin) {
        List<Passage> relevant = candidates.stream().filter(p -> p.score() >= threshold).toList();
        if (relevant.isEmpty()) {
            return new Fallback();
        }
        Passage top = relevant.getFirst();
        if (margin > 0 && !top.question().isEmpty()) {
            List<Passage> close = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Passage p : candidates) {
                if (close.size() == MENU_SIZE || top.score() - p.score() >= margin) {
                    break;
                }
                if (!p.question().isEmpty() && seen.add(p.question())) {
                    close.add(p);
                }
            }
            if (close.size() > 1) {
                return new Clarify(List.copyOf(close));
            }
        }
        return new Answer(relevant);
    }
}

package dev.botgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The answer-or-ask-or-fallback decision, from the retrieved candidates alone. How sure the bot may be is the best
 * candidate's cosine similarity (a threshold on it); whether it is the right one of several is its lead in the fused
 * search score over the next entry (a margin). The fused score ranks best, but its keyword part also lifts
 * out-of-scope questions that share a word or two with an entry, so it decides worse whether to answer at all
 * (bench/RESULTS.md, CrossValidationBench).
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
     * @param threshold  lowest similarity of the best candidate that may be answered; passages below it are not used
     * @param margin     the best Q&amp;A entry must lead the next distinct entry by this in score; 0 never asks
     */
    static AnswerDecision decide(List<Passage> candidates, double threshold, double margin) {
        if (candidates.isEmpty() || candidates.getFirst().similarity() < threshold) {
            return new Fallback();
        }
        List<Passage> relevant = candidates.stream().filter(p -> p.similarity() >= threshold).toList();
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

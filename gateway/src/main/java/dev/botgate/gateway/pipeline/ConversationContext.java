package dev.botgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Recent turns per conversation, in memory (Caffeine): forgotten after an idle period, capped by a number of turns
 * and by an estimated token budget, oldest turns first. The system prompt and retrieved passages are not kept here:
 * the pipeline adds them to every request, so they are never dropped.
 */
public final class ConversationContext {
    /** One exchange turn. */
    public record Turn(String role, String content) {
    }

    /**
     * Where a conversation stands beyond its turns: the topic a follow-up question is read against, and the entries
     * of a clarifying menu waiting for the user's pick.
     *
     * @param topic the last question answered (the Q&amp;A entry's own question where one was answered); empty if none
     * @param menu  the entries just offered, in the numbered order; empty when no menu is open
     */
    public record State(String topic, List<Passage> menu) {
        public State {
            java.util.Objects.requireNonNull(topic, "topic");
            menu = List.copyOf(menu);
        }

        /** No topic, no menu. */
        public static final State EMPTY = new State("", List.of());
    }

    private final Cache<String, Deque<Turn>> turns;
    private final Cache<String, State> states;
    private final int maxTurns;
    private final int tokenBudget;

    public ConversationContext(Duration idleExpiry, int maxTurns, int tokenBudget, Ticker ticker) {
        this.turns = Caffeine.newBuilder().expireAfterAccess(idleExpiry).ticker(ticker).maximumSize(100_000).build();
        this.states = Caffeine.newBuilder().expireAfterAccess(idleExpiry).ticker(ticker).maximumSize(100_000).build();
        this.maxTurns = maxTurns;
        this.tokenBudget = tokenBudget;
    }

    /** The turns kept for a conversation, oldest first. */
    public List<Turn> history(String conversation) {
        Deque<Turn> d = turns.getIfPresent(conversation);
        if (d == null) {
            return List.of();
        }
        synchronized (d) {
            return new ArrayList<>(d);
        }
    }

    /** Appends a user question and the answer given, then trims to the limits. */
    public void append(String conversation, String question, String answer) {
        Deque<Turn> d = turns.get(conversation, k -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(new Turn("user", question));
            d.addLast(new Turn("assistant", answer));
            while (d.size() > maxTurns || (estimateTokens(d) > tokenBudget && !d.isEmpty())) {
                d.removeFirst();
            }
        }
    }

    /** Forgets a conversation ({@code /reset}). */
    public void reset(String conversation) {
        turns.invalidate(conversation);
        states.invalidate(conversation);
    }

    /** The conversation's topic and open menu; {@link State#EMPTY} when it has none. */
    public State state(String conversation) {
        State s = states.getIfPresent(conversation);
        return s == null ? State.EMPTY : s;
    }

    /** Replaces the conversation's state. */
    public void state(String conversation, State state) {
        states.put(conversation, state);
    }

    /**
     * A conservative token estimate without a tokenizer: one token per CJK character, one per four other
     * characters. Used only to bound memory and prompt size; the engine counts exactly before generating.
     */
    public static int estimateTokens(CharSequence text) {
        int cjk = 0;
        int other = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN || (c >= 0x3000 && c <= 0x30FF)
                    || (c >= 0xFF00 && c <= 0xFFEF)) {
                cjk++;
            } else {
                other++;
            }
        }
        return cjk + (other + 3) / 4;
    }

    private static int estimateTokens(Deque<Turn> d) {
        int n = 0;
        for (Turn t : d) {
            n += estimateTokens(t.content()) + 4;
        }
        return n;
    }
}

package dev.botgate.gateway.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * What the application adds around a bot's answer without the answerer knowing it: the handoff to a person (a
 * conversation an agent holds is answered by no one else; asking for a person or failing repeatedly hands it over)
 * and the review queue (every fallback and handoff is kept for an operator). Both calls run on the answering thread,
 * in the conversation's order.
 */
public interface AnswerHooks {
    /** No hooks: the bot answers everything itself. */
    AnswerHooks NONE = new AnswerHooks() {
    };

    /**
     * Before retrieval: an answer that replaces the bot's own (the handoff text, or {@link Answer.Policy#SILENT}
     * while an agent holds the conversation); empty to let the bot answer.
     *
     * @param conversation the conversation key the answerer keeps history under
     * @param user         the sender
     */
    default Optional<Answer> before(Bot bot, String conversation, String user, String question) {
        return Optional.empty();
    }

    /** After the bot decided: the answer to give, usually {@code answer} itself. */
    default Answer after(Bot bot, String conversation, String user, String question, Answer answer) {
        return answer;
    }

    /** These hooks in order: the first {@code before} that answers wins; each {@code after} sees the last one's. */
    static AnswerHooks chain(List<AnswerHooks> hooks) {
        List<AnswerHooks> all = List.copyOf(hooks);
        return new AnswerHooks() {
            @Override
            public Optional<Answer> before(Bot bot, String conversation, String user, String question) {
                for (AnswerHooks h : all) {
                    Optional<Answer> a = h.before(bot, conversation, user, question);
                    if (a.isPresent()) {
                        return a;
                    }
                }
                return Optional.empty();
            }

            @Override
            public Answer after(Bot bot, String conversation, String user, String question, Answer answer) {
                Answer a = answer;
                for (AnswerHooks h : all) {
                    a = h.after(bot, conversation, user, question, a);
                }
                return a;
            }
        };
    }
}

package dev.botgate.gateway.review;

import java.util.Objects;

/** How an operator resolves a review group, in one step. */
public sealed interface Resolution {

    /**
     * The group's questions become similar phrasings of an existing Q&amp;A entry.
     *
     * @param base    the knowledge base holding the entry
     * @param chunkId the entry's chunk id (a search hit's or a suggestion's {@code chunkId})
     */
    record Attach(String base, String chunkId) implements Resolution {
        public Attach {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(chunkId, "chunkId");
        }
    }

    /**
     * A new Q&amp;A entry answers the group's questions.
     *
     * @param base     the knowledge base to write it to
     * @param question the entry's question (the group's other questions become its phrasings)
     * @param answer   the answer given as is
     */
    record NewEntry(String base, String question, String answer) implements Resolution {
        public NewEntry {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * Nothing to teach (spam, out of scope).
     *
     * @param note why, for the record
     */
    record Dismiss(String note) implements Resolution {
        public Dismiss {
            Objects.requireNonNull(note, "note");
        }
    }
}

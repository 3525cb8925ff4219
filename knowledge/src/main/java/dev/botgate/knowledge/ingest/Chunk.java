package dev.botgate.knowledge.ingest;

import java.util.List;
import java.util.Objects;

/**
 * A unit of retrieval.
 *
 * @param ordinal     0-based position in its document
 * @param kind        a passage of text, or one Q&amp;A row
 * @param text        what the model reads and what keyword search sees: the passage, or for Q&amp;A the question,
 *                    its extra phrasings and the answer
 * @param headingPath headings above the chunk, outermost first ("退货政策", "运费"); empty when none
 * @param page        1-based page for PDFs, 0 when the source has no pages
 * @param questions   for Q&amp;A: the question first, then extra phrasings; empty for passages
 * @param answer      for Q&amp;A: the answer returned as is; empty for passages
 */
public record Chunk(int ordinal, Kind kind, String text, List<String> headingPath, int page, List<String> questions,
                    String answer) {

    public Chunk {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        headingPath = List.copyOf(headingPath);
        questions = List.copyOf(questions);
        Objects.requireNonNull(answer, "answer");
        if (kind == Kind.QA && questions.isEmpty()) {
            throw new IllegalArgumentException("a Q&A chunk needs a question");
        }
    }

    /** The kinds of chunk. */
    public enum Kind { PASSAGE, QA }
}

package dev.botgate.gateway.pipeline;

import java.util.Objects;

/**
 * A retrieved piece of knowledge as the pipeline uses it.
 *
 * @param title    the document's title, cited as the source
 * @param location heading path and page, e.g. "退货政策 > 运费, p. 3"; empty when none
 * @param text     the passage (for a Q&amp;A hit: the answer)
 * @param score    the search's fused score, comparable across queries (the bot's threshold applies to it)
 * @param direct   a Q&amp;A entry whose question matched closely enough to be answered verbatim
 * @param question   the Q&amp;A entry's question (what a clarifying menu offers); empty for a document passage
 * @param similarity the query's cosine similarity to the passage (or the entry's question): how sure the bot may be
 */
public record Passage(String title, String location, String text, double score, boolean direct, String question,
                      double similarity) {
    public Passage {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(question, "question");
    }

    /** A document passage (no Q&amp;A question) whose similarity is its score. */
    public Passage(String title, String location, String text, double score, boolean direct) {
        this(title, location, text, score, direct, "", score);
    }
}

package dev.botgate.gateway.pipeline;

import java.util.List;

/** Searches a bot's knowledge bases: the same search the admin search test runs. */
@FunctionalInterface
public interface Retriever {
    /** Best passages first, at most {@code top}, from the named knowledge bases together. */
    List<Passage> retrieve(List<String> knowledgeBases, String query, int top);
}

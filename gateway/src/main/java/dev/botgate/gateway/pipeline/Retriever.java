package dev.botgate.gateway.pipeline;

import java.util.List;

/** Searches a bot's knowledge bases: the same search the admin search test runs. */
@FunctionalInterface
public interface Retriever {
    /** Best passages first, at most {@code top}, from the named knowledge bases together. */
    List<Passage> retrieve(List<String> knowledgeBases, String query, int top);

    /**
     * Those of the named knowledge bases that an import is queued for or running into: a search there may miss what
     * is about to arrive, so finding nothing there does not mean the answer is unknown. None by default.
     */
    default List<String> importing(List<String> knowledgeBases) {
        return List.of();
    }
}

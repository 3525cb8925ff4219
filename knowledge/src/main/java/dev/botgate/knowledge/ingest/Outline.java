package dev.botgate.knowledge.ingest;

import java.util.ArrayList;
import java.util.List;

/** The stack of headings above the current position while a reader walks a document. */
final class Outline {
    private record Entry(int level, String text) {
    }

    private final List<Entry> stack = new ArrayList<>();

    /** A heading at {@code level} (smaller is outer) closes every heading at that level or deeper. */
    void heading(int level, String text) {
        String clean = Text.collapseSpaces(text).strip();
        while (!stack.isEmpty() && stack.getLast().level() >= level) {
            stack.removeLast();
        }
        if (!clean.isEmpty()) {
            stack.add(new Entry(level, clean));
        }
    }

    List<String> path() {
        return stack.stream().map(Entry::text).toList();
    }
}

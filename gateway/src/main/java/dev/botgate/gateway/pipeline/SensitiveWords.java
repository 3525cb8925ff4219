package dev.botgate.gateway.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

/**
 * A sensitive-word list matched in one pass over the text (Aho–Corasick), so a list of thousands of words costs the
 * same per message as a list of ten. Matching is case-insensitive and ignores nothing else: a word is found wherever
 * its characters appear in a row, which suits Chinese text that has no spaces.
 */
public final class SensitiveWords {
    private static final class Node {
        final Map<Integer, Node> next = new HashMap<>();
        Node fail;
        String word;
        int depth;
    }

    private final Node root = new Node();
    private final int size;

    public SensitiveWords(Collection<String> words) {
        int n = 0;
        for (String w : words) {
            String word = w.strip().toLowerCase(Locale.ROOT);
            if (word.isEmpty()) {
                continue;
            }
            Node node = root;
            for (int cp : word.codePoints().toArray()) {
                Node parent = node;
                node = node.next.computeIfAbsent(cp, k -> new Node());
                node.depth = parent.depth + 1;
            }
            node.word = word;
            n++;
        }
        size = n;
        Queue<Node> queue = new ArrayDeque<>();
        for (Node child : root.next.values()) {
            child.fail = root;
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            Node node = queue.remove();
            for (Map.Entry<Integer, Node> e : node.next.entrySet()) {
                Node child = e.getValue();
                Node f = node.fail;
                while (f != null && !f.next.containsKey(e.getKey())) {
                    f = f.fail;
                }
                child.fail = f == null ? root : f.next.get(e.getKey());
                queue.add(child);
            }
        }
    }

    /** Number of words in the list. */
    public int size() {
        return size;
    }

    /** The first listed word found in the text, if any. */
    public Optional<String> firstMatch(String text) {
        List<String> all = find(text, true);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    /** Every occurrence of a listed word, in order of where it ends. */
    public List<String> findAll(String text) {
        return find(text, false);
    }

    private List<String> find(String text, boolean firstOnly) {
        List<String> found = new ArrayList<>();
        if (size == 0) {
            return found;
        }
        Node node = root;
        for (int cp : text.toLowerCase(Locale.ROOT).codePoints().toArray()) {
            while (node != root && !node.next.containsKey(cp)) {
                node = node.fail;
            }
            node = node.next.getOrDefault(cp, root);
            for (Node m = node; m != root; m = m.fail) {
                if (m.word != null) {
                    found.add(m.word);
                    if (firstOnly) {
                        return found;
                    }
                }
            }
        }
        return found;
    }
}

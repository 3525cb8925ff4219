package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;
import dev.botgate.knowledge.ingest.Document;

import java.util.ArrayList;
import java.util.List;

/** Documents made by hand, as the reader would make them. */
final class TestDocs {
    private TestDocs() {
    }

    /** A document of passages under one heading; the hash is derived from the texts. */
    static Document passages(String source, List<String> heading, String... texts) {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            chunks.add(new Chunk(i, Chunk.Kind.PASSAGE, texts[i], heading, 0, List.of(), ""));
        }
        return new Document(source, source, "sha256:" + Integer.toHexString(String.join("|", texts).hashCode()),
                chunks);
    }

    /** A Q&amp;A document; each entry is {question, answer, extra phrasings...}. */
    static Document qa(String source, List<List<String>> entries) {
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<String> e = entries.get(i);
            List<String> questions = new ArrayList<>();
            questions.add(e.get(0));
            questions.addAll(e.subList(2, e.size()));
            String text = String.join("\n", questions) + "\n" + e.get(1);
            chunks.add(new Chunk(i, Chunk.Kind.QA, text, List.of(), 0, questions, e.get(1)));
        }
        return new Document(source, source, "sha256:" + Integer.toHexString(entries.hashCode()), chunks);
    }
}

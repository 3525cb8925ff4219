package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.knowledge.index.ChunkInfo;
import dev.botgate.knowledge.index.DocumentInfo;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.ingest.Chunk;
import dev.botgate.knowledge.ingest.Document;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Edits and deletes of one Q&amp;A entry of a document, from the console. The document is written again with the
 * entry changed (its chunks replace the old ones in one commit, so the next answer uses the edit); importing the
 * source file again brings the file's version back.
 */
final class QaEdits {
    private static final int MAX_QUESTIONS = 20;
    private static final int MAX_QUESTION = 500;
    private static final int MAX_ANSWER = 8000;
    private final KnowledgeBases bases;

    QaEdits(KnowledgeBases bases) {
        this.bases = bases;
    }

    /** Replaces entry {@code ordinal} with {@code {"question", "similar": [...], "answer"}}, or deletes it. */
    void apply(String base, String docId, String ordinalText, Optional<JsonNode> edit) {
        DocumentInfo doc = bases.document(base, docId).orElseThrow(() -> new BadRequestException(404,
                "no document '" + docId + "' in knowledge base '" + base + "'"));
        int ordinal;
        try {
            ordinal = Integer.parseInt(ordinalText);
        } catch (NumberFormatException e) {
            throw new BadRequestException(404, "no entry '" + ordinalText + "': entries are numbered from 0");
        }
        List<ChunkInfo> old = bases.chunks(base, docId);
        ChunkInfo target = old.stream().filter(c -> c.ordinal() == ordinal).findFirst().orElseThrow(() ->
                new BadRequestException(404, "document '" + doc.title() + "' has no entry " + ordinal));
        if (target.kind() != Chunk.Kind.QA) {
            throw new BadRequestException(409, "entry " + ordinal + " is a passage, not a Q&A entry; edit the source "
                    + "file and import it again");
        }
        List<Chunk> chunks = new ArrayList<>();
        for (ChunkInfo c : old) {
            if (c.ordinal() != ordinal) {
                chunks.add(new Chunk(chunks.size(), c.kind(), c.text(), c.headingPath(), c.page(), c.questions(),
                        c.answer()));
            } else if (edit.isPresent()) {
                chunks.add(edited(chunks.size(), c, edit.get()));
            }
        }
        if (chunks.isEmpty()) {
            throw new BadRequestException(409, "this is the document's only entry: delete the document instead");
        }
        StringBuilder content = new StringBuilder();
        chunks.forEach(c -> content.append(c.text()).append('\u0000'));
        bases.write(base, new Document(doc.title(), doc.source(), hash(content.toString()), chunks), doc.tags());
    }

    private static Chunk edited(int ordinal, ChunkInfo c, JsonNode body) {
        String question = body.path("question").asText("").strip();
        String answer = body.path("answer").asText("").strip();
        if (question.isEmpty() || question.length() > MAX_QUESTION) {
            throw new BadRequestException("question: 1-" + MAX_QUESTION + " characters");
        }
        if (answer.isEmpty() || answer.length() > MAX_ANSWER) {
            throw new BadRequestException("answer: 1-" + MAX_ANSWER + " characters");
        }
        List<String> questions = new ArrayList<>(List.of(question));
        for (JsonNode s : body.path("similar")) {
            String q = s.asText("").strip();
            if (!q.isEmpty() && q.length() <= MAX_QUESTION && !questions.contains(q)) {
                questions.add(q);
            }
        }
        if (questions.size() > MAX_QUESTIONS) {
            throw new BadRequestException("similar: at most " + (MAX_QUESTIONS - 1) + " phrasings");
        }
        // The same text the importer builds for a Q&A row: the phrasings, then the answer.
        String text = String.join("\n", questions) + "\n" + answer;
        return new Chunk(ordinal, Chunk.Kind.QA, text, c.headingPath(), c.page(), questions, answer);
    }

    private static String hash(String s) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

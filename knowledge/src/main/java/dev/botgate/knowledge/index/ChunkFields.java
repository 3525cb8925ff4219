package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Chunk;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The index schema. A document is stored as one block: a record of the document (type {@code doc}) followed by its
 * chunks (type {@code chunk}), written with one {@code updateDocuments} call, so a reader sees all of it or none.
 */
final class ChunkFields {
    static final String TYPE = "type";
    static final String TYPE_DOC = "doc";
    static final String TYPE_CHUNK = "chunk";
    static final String DOC_ID = "doc_id";
    static final String CHUNK_ID = "chunk_id";
    static final String ORDINAL = "ordinal";
    static final String KIND = "kind";
    static final String TITLE = "title";
    static final String SOURCE = "source";
    static final String HASH = "hash";
    static final String IMPORTED = "imported";
    static final String TAG = "tag";
    static final String CHUNK_COUNT = "chunks";
    static final String HEADING = "heading";
    static final String PAGE = "page";
    static final String BODY = "body";
    static final String QUESTION = "question";
    static final String ANSWER = "answer";
    /** SmartChineseAnalyzer text: heading path and chunk text. */
    static final String TEXT = "text";
    /** Identifiers kept whole and lowercased: SKU-12345, x200, charger. */
    static final String IDENT = "ident";
    /** User-dictionary words found in the text. */
    static final String DICT = "dict";
    static final String VECTOR = "vec";
    /** Q&amp;A only: the question and each phrasing embedded on its own, packed floats. */
    static final String QUESTION_VECTORS = "qvec";

    private ChunkFields() {
    }

    /** A stable id for a source: the first 16 hex digits of its SHA-256. */
    static String documentId(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String chunkId(String documentId, int ordinal) {
        return documentId + "#" + ordinal;
    }

    /** The text keyword search sees: the heading path gives a chunk its context. */
    static String searchableText(Chunk chunk) {
        return chunk.headingPath().isEmpty() ? chunk.text()
                : String.join(" > ", chunk.headingPath()) + "\n" + chunk.text();
    }

    static List<org.apache.lucene.document.Document> block(DocumentInfo info, List<Chunk> chunks, float[][] vectors,
                                                           float[][][] questionVectors) {
        List<org.apache.lucene.document.Document> block = new ArrayList<>(chunks.size() + 1);
        org.apache.lucene.document.Document record = new org.apache.lucene.document.Document();
        record.add(new StringField(TYPE, TYPE_DOC, Field.Store.NO));
        common(record, info);
        record.add(new StoredField(CHUNK_COUNT, chunks.size()));
        block.add(record);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk chunk = chunks.get(i);
            org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
            d.add(new StringField(TYPE, TYPE_CHUNK, Field.Store.NO));
            common(d, info);
            d.add(new StringField(CHUNK_ID, chunkId(info.id(), chunk.ordinal()), Field.Store.YES));
            d.add(new StoredField(ORDINAL, chunk.ordinal()));
            d.add(new StoredField(KIND, chunk.kind().name()));
            for (String heading : chunk.headingPath()) {
                d.add(new StoredField(HEADING, heading));
            }
            d.add(new StoredField(PAGE, chunk.page()));
            d.add(new StoredField(BODY, chunk.text()));
            for (String question : chunk.questions()) {
                d.add(new StoredField(QUESTION, question));
            }
            d.add(new StoredField(ANSWER, chunk.answer()));
            String searchable = searchableText(chunk);
            d.add(new TextField(TEXT, searchable, Field.Store.NO));
            d.add(new TextField(IDENT, searchable, Field.Store.NO));
            d.add(new TextField(DICT, searchable, Field.Store.NO));
            d.add(new KnnFloatVectorField(VECTOR, vectors[i], VectorSimilarityFunction.DOT_PRODUCT));
            if (questionVectors[i] != null && questionVectors[i].length > 0) {
                d.add(new BinaryDocValuesField(QUESTION_VECTORS, pack(questionVectors[i])));
            }
            block.add(d);
        }
        return block;
    }

    private static void common(org.apache.lucene.document.Document d, DocumentInfo info) {
        d.add(new StringField(DOC_ID, info.id(), Field.Store.YES));
        d.add(new StoredField(TITLE, info.title()));
        d.add(new StoredField(SOURCE, info.source()));
        d.add(new StoredField(HASH, info.contentHash()));
        d.add(new StoredField(IMPORTED, info.importedAt().toEpochMilli()));
        for (String tag : new TreeSet<>(info.tags())) {
            d.add(new StringField(TAG, tag, Field.Store.YES));
        }
    }

    static DocumentInfo documentInfo(org.apache.lucene.document.Document record) {
        IndexableField count = record.getField(CHUNK_COUNT);
        return new DocumentInfo(record.get(DOC_ID), record.get(TITLE), record.get(SOURCE), record.get(HASH),
                Instant.ofEpochMilli(record.getField(IMPORTED).numericValue().longValue()),
                new TreeSet<>(List.of(record.getValues(TAG))),
                count == null ? 0 : count.numericValue().intValue());
    }

    static Chunk chunk(org.apache.lucene.document.Document d) {
        return new Chunk(d.getField(ORDINAL).numericValue().intValue(), Chunk.Kind.valueOf(d.get(KIND)), d.get(BODY),
                List.of(d.getValues(HEADING)), d.getField(PAGE).numericValue().intValue(),
                List.of(d.getValues(QUESTION)), d.get(ANSWER));
    }

    static BytesRef pack(float[][] vectors) {
        int dim = vectors[0].length;
        ByteBuffer buffer = ByteBuffer.allocate(4 + vectors.length * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(vectors.length);
        for (float[] v : vectors) {
            for (float x : v) {
                buffer.putFloat(x);
            }
        }
        return new BytesRef(buffer.array());
    }

    static float[][] unpack(BytesRef bytes, int dim) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        int n = buffer.getInt();
        float[][] vectors = new float[n][dim];
        for (float[] v : vectors) {
            buffer.asFloatBuffer().get(v);
            buffer.position(buffer.position() + dim * 4);
        }
        return vectors;
    }
}

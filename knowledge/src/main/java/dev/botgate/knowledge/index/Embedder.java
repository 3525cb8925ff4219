package dev.botgate.knowledge.index;

import java.util.List;

/**
 * Turns texts into L2-normalised vectors, so that a dot product is the cosine similarity. Implementations are
 * thread-safe.
 */
public interface Embedder extends AutoCloseable {
    /** The model's name as stored with every index and served over the embeddings APIs. */
    String modelId();

    /** Length of every vector. */
    int dimension();

    /** Embeds passages, one vector per text, in the order given. */
    float[][] embed(List<String> texts);

    /** Embeds one search query. */
    float[] embedQuery(String query);

    /** Frees native resources; the embedder must not be used afterwards. */
    @Override
    void close();
}

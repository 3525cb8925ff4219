package dev.botgate.knowledge.index;

/**
 * A knowledge base as listed.
 *
 * @param name         the base's name (its directory under the knowledge root)
 * @param documents    documents in the base
 * @param chunks       chunks in the base
 * @param sizeBytes    bytes on disk, index and settings together
 * @param modelId      the embedding model its vectors were made with
 * @param dimension    the length of its vectors
 * @param problem      why the base cannot be opened (e.g. built with another embedding model), with what to do;
 *                     empty when it is fine. Counts are 0 when there is a problem.
 */
public record BaseInfo(String name, int documents, int chunks, long sizeBytes, String modelId, int dimension,
                       String problem) {
}

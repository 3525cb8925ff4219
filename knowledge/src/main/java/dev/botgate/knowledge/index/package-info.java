/**
 * Knowledge base storage and search: the bge-small-zh embedder ({@link dev.botgate.knowledge.index.BgeEmbedder}),
 * the Lucene hybrid index and its search, and import jobs. The entry point is
 * {@link dev.botgate.knowledge.index.KnowledgeBases}; everything else public is a value it takes or returns.
 *
 * <p>Nothing public takes or returns {@code null}: absent values are {@code Optional} results or empty strings and
 * collections. Errors are {@link dev.botgate.knowledge.index.KnowledgeException}s whose message says what to do.
 */
package dev.botgate.knowledge.index;

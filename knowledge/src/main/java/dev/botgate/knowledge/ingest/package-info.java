/**
 * Turning files into chunks: readers for PDF, Word, Markdown, HTML, text and Q&amp;A tables, and the
 * structure-aware chunker. Knows nothing of Lucene or embeddings; {@code index} consumes {@link
 * dev.botgate.knowledge.ingest.Document}s.
 */
package dev.botgate.knowledge.ingest;

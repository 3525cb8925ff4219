/**
 * Turning files into chunks: readers for PDF, Word, Markdown, HTML, text and Q&amp;A tables, and the
 * structure-aware chunker. Knows nothing of Lucene or embeddings; {@code index} consumes {@link
 * dev.botgate.knowledge.ingest.Document}s.
 *
 * <p>Entry points: {@link dev.botgate.knowledge.ingest.DocumentReader} (configured by {@link
 * dev.botgate.knowledge.ingest.ChunkingOptions} and {@link dev.botgate.knowledge.ingest.ReadLimits}); a file that
 * cannot be imported is an {@link dev.botgate.knowledge.ingest.IngestException} from {@code read}, or a {@link
 * dev.botgate.knowledge.ingest.Skipped} report from {@code readAll}, with a reason written for the user.
 *
 * <p>Nullness: no parameter, return value or record component in this package is null; absent values are empty
 * strings, empty lists or {@link java.util.Optional#empty()}.
 */
package dev.botgate.knowledge.ingest;

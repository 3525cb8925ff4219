/** Knowledge base storage and search: embeddings, the Lucene hybrid index, import jobs. */
package dev.botgate.knowledge.index;

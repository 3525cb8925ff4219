package dev.botgate.knowledge.index;

/**
 * A knowledge base operation failed: unknown or invalid base name, an index built with another embedding model,
 * bad search input, or an I/O failure. The message says what happened and what to do next.
 */
public class KnowledgeException extends RuntimeException {
    /** Creates an exception with a message for the user. */
    public KnowledgeException(String message) {
        super(message);
    }

    /** Creates an exception with a message for the user and its cause. */
    public KnowledgeException(String message, Throwable cause) {
        super(message, cause);
    }
}

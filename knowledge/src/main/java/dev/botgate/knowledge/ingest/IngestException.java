package dev.botgate.knowledge.ingest;

/**
 * A file could not be read. The message is meant for the user who imported it: it says what is wrong and what to do
 * (for example "password-protected; remove the password and import again").
 */
public class IngestException extends RuntimeException {
    public IngestException(String message) {
        super(message);
    }

    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}

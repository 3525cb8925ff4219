package dev.botgate.gateway.http;

/** A request refused at the edge (HTTP 400 unless a status is given); the message says what to fix. */
public class BadRequestException extends RuntimeException {
    private final int status;

    public BadRequestException(String message) {
        this(400, message);
    }

    public BadRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** HTTP status to answer with. */
    public int status() {
        return status;
    }
}

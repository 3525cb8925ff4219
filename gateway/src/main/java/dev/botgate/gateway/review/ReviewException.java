package dev.botgate.gateway.review;

/** A review request that cannot be carried out, with the HTTP status that says why. */
public class ReviewException extends RuntimeException {
    private final int status;

    public ReviewException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 400 bad request, 404 unknown item, 409 already resolved. */
    public int status() {
        return status;
    }
}

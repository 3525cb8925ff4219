package dev.botgate.gateway.handoff;

/** A handoff request that cannot be carried out, with the HTTP status that says why. */
public class HandoffException extends RuntimeException {
    private final int status;

    public HandoffException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 400 bad request, 404 unknown conversation, 409 wrong state, 502 the platform refused. */
    public int status() {
        return status;
    }
}

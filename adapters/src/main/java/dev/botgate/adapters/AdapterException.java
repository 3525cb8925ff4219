package dev.botgate.adapters;

/** Base of every exception the adapters module throws. Messages never contain secrets. */
public class AdapterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public AdapterException(String message) {
        super(message);
    }
}

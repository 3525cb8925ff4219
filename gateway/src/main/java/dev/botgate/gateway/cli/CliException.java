package dev.botgate.gateway.cli;

/** A command failed; the message is printed as is (no stack trace) and the command exits with status 1. */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }
}

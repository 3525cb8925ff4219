package dev.botgate.adapters;

/** What the gateway should do with an inbound message. */
public enum MessageKind {
    /** A question in text: answer it. */
    TEXT,
    /** The user opened the chat or followed the account ({@code subscribe}, {@code enter_agent}): send the welcome. */
    WELCOME,
    /** A message type Botgate does not read yet (image, file, …): send the polite "text only for now" note. */
    UNSUPPORTED
}

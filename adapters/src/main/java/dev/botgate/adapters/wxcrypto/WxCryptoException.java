package dev.botgate.adapters.wxcrypto;

import dev.botgate.adapters.AdapterException;

/** A ciphertext or document that does not check out. The message names the failed check, never key material. */
public final class WxCryptoException extends AdapterException {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason {
        /** Not Base64, wrong length, bad padding or length field: malformed or the wrong key. */
        MALFORMED,
        /** Decrypted fine but addressed to another CorpID/AppID. */
        WRONG_RECEIVER
    }

    private final Reason reason;

    /** A malformed-input failure. */
    public WxCryptoException(String message) {
        this(Reason.MALFORMED, message);
    }

    /** A failure of the given kind. */
    public WxCryptoException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Which check failed. */
    public Reason reason() {
        return reason;
    }
}

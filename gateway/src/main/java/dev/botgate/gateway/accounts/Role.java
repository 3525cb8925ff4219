package dev.botgate.gateway.accounts;

import dev.botgate.gateway.http.ApiKeys;
import java.util.Locale;
import java.util.Optional;

/** What a signed-in user may do. */
public enum Role {
    /** Reads everything, changes nothing (may still chat with bots, which changes no setting). */
    VIEWER,
    /** Knowledge bases, conversations, handoffs and bots' texts. */
    OPERATOR,
    /** Everything: models, bots, users, keys. */
    ADMIN;

    /** The lower-case name used in the API. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code admin}, {@code operator} or {@code viewer}. */
    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.label().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The widest API key scope this role may create for itself. */
    public ApiKeys.Scope widestScope() {
        return this == ADMIN ? ApiKeys.Scope.ADMIN : ApiKeys.Scope.USE;
    }
}

package dev.botgate.adapters.wecomkf;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the adapter knows of each customer's session: whether a human servicer holds it (then the bot stays silent),
 * and the send quota WeCom allows: at most 5 messages within 48 h of the customer's last message. Who holds a session is
 * also saved through the {@link Store} (the gateway's durable feed store), so a handoff survives a restart; the quota
 * is kept in memory only: after a restart the platform's own refusal still stops a send, and is recorded.
 */
final class KfSessions {
    static final int QUOTA = 5;
    static final Duration WINDOW = Duration.ofHours(48);

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile Store store;

    /** Where the holder of each session is kept durably. */
    interface Store {
        /** A saved value. */
        Optional<String> load(String key);

        /** Saves a value. */
        void save(String key, String value);
    }

    /** From now on, sessions are read from and saved to {@code store}. */
    void persistTo(Store store) {
        this.store = store;
    }

    private static final class Session {
        String servicer = "";
        boolean human;
        Instant lastCustomerMessage;
        final java.util.Set<String> counted = new java.util.HashSet<>();
    }

    private static String key(String openKfId, String externalUserId) {
        return openKfId + "/" + externalUserId;
    }

    private Session session(String openKfId, String externalUserId) {
        return sessions.computeIfAbsent(key(openKfId, externalUserId), this::restore);
    }

    private Session restore(String key) {
        Session s = new Session();
        Store st = store;
        if (st != null) {
            st.load("session:" + key).filter(v -> v.startsWith("human:")).ifPresent(v -> {
                s.human = true;
                s.servicer = v.substring("human:".length());
            });
        }
        return s;
    }

    private void save(String openKfId, String externalUserId, Session s) {
        Store st = store;
        if (st != null) {
            st.save("session:" + key(openKfId, externalUserId), s.human ? "human:" + s.servicer : "bot");
        }
    }

    /** The customer wrote at {@code at}: the quota starts again. */
    void customerWrote(String openKfId, String externalUserId, Instant at) {
        Session s = session(openKfId, externalUserId);
        synchronized (s) {
            if (s.lastCustomerMessage == null || !at.isBefore(s.lastCustomerMessage)) {
                s.lastCustomerMessage = at;
                s.counted.clear();
            }
        }
    }

    /** A human servicer holds the session ({@code servicer} may be "" when the platform did not say who). */
    void toHuman(String openKfId, String externalUserId, String servicer) {
        Session s = session(openKfId, externalUserId);
        synchronized (s) {
            boolean changed = !s.human || !s.servicer.equals(servicer);
            s.human = true;
            s.servicer = servicer;
            if (changed) {
                save(openKfId, externalUserId, s);
            }
        }
    }

    /** The session is back with the bot (ended by the servicer, or the platform says so). */
    void toBot(String openKfId, String externalUserId) {
        Session s = session(openKfId, externalUserId);
        synchronized (s) {
            boolean changed = s.human;
            s.human = false;
            s.servicer = "";
            if (changed) {
                save(openKfId, externalUserId, s);
            }
        }
    }

    /** The servicer holding the session, when a human does. */
    Optional<String> human(String openKfId, String externalUserId) {
        Session s = session(openKfId, externalUserId);
        synchronized (s) {
            return s.human ? Optional.of(s.servicer) : Optional.empty();
        }
    }

    /**
     * Whether the part with our {@code msgId} may go out, counting it against the quota the first time (a retried part
     * carries the same id and is not counted twice). False when 5 went out since the customer's last message, or that
     * message is older than 48 h. Unknown sessions (after a restart) are allowed: the platform decides.
     */
    boolean allow(String openKfId, String externalUserId, String msgId, Instant now) {
        Session s = session(openKfId, externalUserId);
        synchronized (s) {
            if (s.lastCustomerMessage == null || s.counted.contains(msgId)) {
                return true;
            }
            if (now.isAfter(s.lastCustomerMessage.plus(WINDOW)) || s.counted.size() >= QUOTA) {
                return false;
            }
            s.counted.add(msgId);
            return true;
        }
    }
}

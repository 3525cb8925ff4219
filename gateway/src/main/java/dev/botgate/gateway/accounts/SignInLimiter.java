package dev.botgate.gateway.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts failed sign-ins per user name and per client address in a sliding window: after
 * {@value #PER_USER} failures for one name or {@value #PER_ADDRESS} from one address within 15 minutes, further
 * attempts are refused (429) until the oldest failure leaves the window, even with the right password, so a guesser
 * learns nothing from trying. A successful sign-in clears the name's count.
 */
final class SignInLimiter {
    static final int PER_USER = 5;
    static final int PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();

    SignInLimiter(Clock clock) {
        this.clock = clock;
    }

    /** How long the caller must wait, or empty when it may try now. */
    synchronized Optional<Duration> blocked(String user, String address) {
        Instant now = clock.instant();
        Optional<Duration> u = wait("u:" + user, PER_USER, now);
        Optional<Duration> a = wait("a:" + address, PER_ADDRESS, now);
        if (u.isPresent() && a.isPresent()) {
            return Optional.of(u.get().compareTo(a.get()) > 0 ? u.get() : a.get());
        }
        return u.isPresent() ? u : a;
    }

    synchronized void failed(String user, String address) {
        Instant now = clock.instant();
        failures.computeIfAbsent("u:" + user, k -> new ArrayDeque<>()).addLast(now);
        failures.computeIfAbsent("a:" + address, k -> new ArrayDeque<>()).addLast(now);
        if (failures.size() > 100_000) {
            failures.values().removeIf(d -> d.isEmpty() || d.peekLast().isBefore(now.minus(WINDOW)));
        }
    }

    synchronized void succeeded(String user) {
        failures.remove("u:" + user);
    }

    private Optional<Duration> wait(String key, int limit, Instant now) {
        Deque<Instant> d = failures.get(key);
        if (d == null) {
            return Optional.empty();
        }
        while (!d.isEmpty() && !d.peekFirst().isAfter(now.minus(WINDOW))) {
            d.removeFirst();
        }
        if (d.isEmpty()) {
            failures.remove(key);
            return Optional.empty();
        }
        if (d.size() < limit) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, d.peekFirst().plus(WINDOW)));
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Bearer API keys on {@code /api}, {@code /v1} and {@code /admin}. Only SHA-256 hashes are stored, so a leaked config
 * file leaks no key; comparison is of fixed-length digests in constant time. Platform callbacks under
 * {@code /hooks} carry their platforms' own signatures, and {@code /health} stays open for probes.
 */
public final class ApiKeys implements Filter {
    private static final List<String> PROTECTED = List.of("/api/", "/v1/", "/admin/", "/metrics");
    private final Supplier<Set<String>> hashes;
    private final boolean openWithoutKeys;

    /**
     * @param hashes          the accepted {@code sha256:<hex>} hashes, read on each request so new keys apply at once
     * @param openWithoutKeys let requests through while no key exists (a loopback-only server's default)
     */
    public ApiKeys(Supplier<Set<String>> hashes, boolean openWithoutKeys) {
        this.hashes = hashes;
        this.openWithoutKeys = openWithoutKeys;
    }

    /** The stored form of a key. */
    public static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().absolute().path();
        if (PROTECTED.stream().noneMatch(p -> path.startsWith(p) || path.equals(p.substring(0, p.length() - 1)))) {
            chain.proceed();
            return;
        }
        Set<String> accepted = hashes.get();
        if (accepted.isEmpty() && openWithoutKeys) {
            chain.proceed();
            return;
        }
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7) || !accepted(accepted, auth.substring(7).trim())) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            HttpErrors.send(req, res, 401, auth.isEmpty()
                    ? "missing API key: send 'Authorization: Bearer <key>' (create one with: botgate keys new)"
                    : "invalid API key");
            return;
        }
        chain.proceed();
    }

    private static boolean accepted(Set<String> hashes, String key) {
        byte[] given = hash(key).getBytes(StandardCharsets.US_ASCII);
        boolean ok = false;
        for (String h : hashes) {
            ok |= MessageDigest.isEqual(given, h.getBytes(StandardCharsets.US_ASCII));
        }
        return ok;
    }
}

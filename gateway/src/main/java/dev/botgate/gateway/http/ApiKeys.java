package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Bearer API keys on {@code /api}, {@code /v1}, {@code /admin} and {@code /metrics}, each with a {@link Scope}. Only
 * SHA-256 hashes are stored, so a leaked config file leaks no key; comparison is of fixed-length digests in constant
 * time. Platform callbacks under {@code /hooks} carry their platforms' own signatures, and {@code /health} stays open
 * for probes.
 *
 * <p>A {@link Scope#USE use} key may chat, generate, embed, list and show models and talk to bots; everything else
 * (pull, create, delete models; knowledge bases, bots, conversations, metrics) needs an {@link Scope#ADMIN admin} key,
 * and a use key gets 403 naming the scope needed. Every request that passes carries its {@link Access} in the request
 * context ({@link #access(ServerRequest)}), for handlers whose rules depend on who asks (server-path import, pulls of
 * local files).
 *
 * <p>A console session ({@code dev.botgate.gateway.accounts.SessionAuthentication}, in front of this filter) has
 * already registered its Access when it reaches here and passes; keys users create for themselves are among the
 * accepted keys. {@code /admin/session}, {@code /admin/setup}, {@code /admin/login} and {@code /admin/logout} need
 * no key: a visitor must be able to set up and sign in.
 */
public final class ApiKeys implements Filter {
    private static final List<String> PROTECTED = List.of("/api/", "/v1/", "/admin/", "/metrics");
    private static final Pattern STORED = Pattern.compile("(?:(use|admin):)?(sha256:[0-9a-f]{64})");
    /** Reading routes a use key may call (HEAD too). */
    private static final Set<String> USE_GET = Set.of("/api/tags", "/api/ps", "/api/version", "/v1/models");
    /** Generating routes a use key may call. */
    private static final Set<String> USE_POST = Set.of("/api/chat", "/api/generate", "/api/embed", "/api/embeddings",
            "/api/show", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses");
    /** Setting up the first account and signing in and out need no key. */
    private static final Set<String> OPEN = Set.of("/admin/session", "/admin/setup", "/admin/login", "/admin/logout");
    private static final Pattern BOT_CHAT = Pattern.compile("/admin/bots/[^/]+/chat");
    /** One model's entry ({@code GET /v1/models/{id}}), for a use key like the list. */
    private static final Pattern MODEL = Pattern.compile("/v1/models/.+");

    private final Supplier<List<Key>> keys;
    private final boolean openWithoutKeys;
    private final boolean unauthenticated;

    /** What a key may do. */
    public enum Scope {
        /** Chat, generate, embed, list and show models, talk to bots. */
        USE,
        /** Everything, including model, knowledge, bot and key management. */
        ADMIN;

        /** The lower-case name used in files, the config and the CLI. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An accepted key: its scope and {@code sha256:<hex>} hash. Stored (in {@code $BOTGATE_HOME/api-keys} and
     * {@code server.api-keys}) as {@code use:sha256:<hex>} or {@code admin:sha256:<hex>}; a bare
     * {@code sha256:<hex>} (as written before keys had scopes) is an admin key, the power it had then.
     */
    public record Key(Scope scope, String hash) {
        /** The stored form. */
        public String stored() {
            return scope.label() + ":" + hash;
        }

        /** Parses a stored entry; empty when it is not one. */
        public static Optional<Key> parse(String entry) {
            var m = STORED.matcher(entry.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            Scope scope = "use".equals(m.group(1)) ? Scope.USE : Scope.ADMIN;
            return Optional.of(new Key(scope, m.group(2)));
        }
    }

    /**
     * Who is asking, as the filter decided.
     *
     * @param scope what the request may do
     * @param local true when no key is needed because the server listens on loopback only and no key exists (the
     *              local default): the person at this machine, who may import any of its folders
     */
    public record Access(Scope scope, boolean local) {
        /** Whether the request may manage models, knowledge, bots and keys. */
        public boolean admin() {
            return scope == Scope.ADMIN;
        }
    }

    /**
     * @param keys            the accepted keys, read on each request so new keys apply at once
     * @param openWithoutKeys let requests through while no key exists (a loopback-only server's default)
     * @param unauthenticated let every request through as admin ({@code server.allow-unauthenticated}: an
     *                        authenticating proxy stands in front)
     */
    public ApiKeys(Supplier<List<Key>> keys, boolean openWithoutKeys, boolean unauthenticated) {
        this.keys = keys;
        this.openWithoutKeys = openWithoutKeys;
        this.unauthenticated = unauthenticated;
    }

    /** The stored hash of a key. */
    public static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The access the filter granted this request. A request the filter did not see (a route outside the protected
     * namespaces) is treated as the least: a remote use key.
     */
    public static Access access(ServerRequest req) {
        return req.context().get(Access.class).orElse(new Access(Scope.USE, false));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().absolute().path();
        if (PROTECTED.stream().noneMatch(p -> path.startsWith(p) || path.equals(p.substring(0, p.length() - 1)))) {
            chain.proceed();
            return;
        }
        if (req.context().get(Access.class).isPresent() || OPEN.contains(path)) {
            // A console session was accepted in front of this filter, or a sign-in route that must stay open.
            chain.proceed();
            return;
        }
        List<Key> accepted = keys.get();
        if (accepted.isEmpty() && openWithoutKeys) {
            req.context().register(new Access(Scope.ADMIN, true));
            chain.proceed();
            return;
        }
        if (unauthenticated) {
            req.context().register(new Access(Scope.ADMIN, false));
            chain.proceed();
            return;
        }
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        Optional<Key> key = auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? match(accepted, auth.substring(7).trim()) : Optional.empty();
        if (key.isEmpty()) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            HttpErrors.send(req, res, 401, auth.isEmpty()
                    ? "missing API key: send 'Authorization: Bearer <key>' (create one with: botgate keys new)"
                    : "invalid API key");
            return;
        }
        Scope scope = key.get().scope();
        Method method = req.prologue().method();
        if (scope == Scope.USE && !useMay(method, path)) {
            HttpErrors.send(req, res, 403, "this API key has scope 'use' (chat, generate, embed, list and show "
                    + "models, talk to bots); " + method.text() + " " + path + " needs an API key with scope "
                    + "'admin' (create one with: botgate keys new --scope admin)");
            return;
        }
        req.context().register(new Access(scope, false));
        chain.proceed();
    }

    /** Whether a use key may call this route: an allow-list, so a route added later needs admin until listed. */
    public static boolean useMay(Method method, String path) {
        if (method.equals(Method.OPTIONS)) {
            return true; // a CORS preflight changes nothing
        }
        if (method.equals(Method.GET) || method.equals(Method.HEAD)) {
            return USE_GET.contains(path) || MODEL.matcher(path).matches();
        }
        if (method.equals(Method.POST)) {
            return USE_POST.contains(path) || BOT_CHAT.matcher(path).matches();
        }
        return false;
    }

    /** The key whose hash matches, compared in constant time over all keys. */
    private static Optional<Key> match(List<Key> keys, String key) {
        byte[] given = hash(key).getBytes(StandardCharsets.US_ASCII);
        Key found = null;
        for (Key k : keys) {
            // The same key listed twice with different scopes: the wider one.
            if (MessageDigest.isEqual(given, k.hash().getBytes(StandardCharsets.US_ASCII))
                    && (found == null || k.scope() == Scope.ADMIN)) {
                found = k;
            }
        }
        return Optional.ofNullable(found);
    }
}

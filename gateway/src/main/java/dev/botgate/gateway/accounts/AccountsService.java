package dev.botgate.gateway.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.BadRequestException;
import dev.botgate.gateway.http.HttpErrors;
import dev.botgate.gateway.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sign-in, sessions, users and each user's own keys under {@code /admin}.
 *
 * <pre>
 * curl localhost:8080/admin/session                                   # setup needed? signed in? CSRF token
 * curl localhost:8080/admin/setup -H 'Content-Type: application/json' -d '{"username":"ada","password":"…"}'  # 201 once
 * curl -c jar localhost:8080/admin/login -H 'Content-Type: application/json' -d '{"username":"ada","password":"…"}'
 * curl -b jar -X POST localhost:8080/admin/logout -H 'X-Botgate-CSRF: …'
 * curl -H 'Authorization: Bearer KEY' localhost:8080/admin/users      # admins: list, POST, PATCH /{name}, DELETE /{name}
 * curl -b jar localhost:8080/admin/me/keys                            # own keys: GET, POST {name,scope}, DELETE /{id}
 * </pre>
 */
public final class AccountsService implements HttpService {
    /** Paths open without a key or session: a visitor must be able to set up and sign in. */
    public static final Set<String> OPEN = Set.of("/admin/session", "/admin/setup", "/admin/login", "/admin/logout");
    private final Accounts accounts;

    public AccountsService(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/session", this::session)
             .post("/setup", this::setup)
             .post("/login", this::login)
             .post("/logout", this::logout)
             .get("/users", this::users)
             .post("/users", this::createUser)
             .patch("/users/{name}", this::changeUser)
             .delete("/users/{name}", this::deleteUser)
             .get("/me/keys", this::keys)
             .post("/me/keys", this::createKey)
             .delete("/me/keys/{id}", this::deleteKey);
    }

    private void session(ServerRequest req, ServerResponse res) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("setup_needed", accounts.setupNeeded());
        Optional<Accounts.Session> s = cookie(req).flatMap(accounts::session);
        m.put("signed_in", s.isPresent());
        s.ifPresent(x -> {
            m.put("username", x.username());
            m.put("role", x.role().label());
            m.put("csrf", x.csrf());
        });
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, 200, m);
    }

    private void setup(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String user = text(body, "username");
        String password = text(body, "password");
        accounts.setup(user, password);
        Accounts.SignIn in = accounts.signIn(user, password, address(req));
        sendSignIn(req, res, 201, in);
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        Accounts.SignIn in;
        try {
            in = accounts.signIn(text(body, "username"), text(body, "password"), address(req));
        } catch (Accounts.RateLimited e) {
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())));
            HttpErrors.send(req, res, 429, e.getMessage());
            return;
        }
        sendSignIn(req, res, 200, in);
    }

    private void logout(ServerRequest req, ServerResponse res) {
        cookie(req).ifPresent(accounts::signOut);
        res.header(HeaderNames.SET_COOKIE, SessionAuthentication.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; "
                + "SameSite=Strict" + (secure(req) ? "; Secure" : ""));
        res.status(204);
        res.send();
    }

    private void users(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        List<Map<String, Object>> out = accounts.users().stream().map(AccountsService::user).toList();
        Json.send(res, 200, Map.of("users", out));
    }

    private void createUser(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        Role role = role(body.path("role").asText("viewer"));
        Json.send(res, 201, user(accounts.create(text(body, "username"), text(body, "password"), role)));
    }

    private void changeUser(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        Optional<Role> role = body.hasNonNull("role") ? Optional.of(role(body.get("role").asText())) : Optional.empty();
        Optional<String> password = body.hasNonNull("password") ? Optional.of(body.get("password").asText())
                : Optional.empty();
        String name = req.path().pathParameters().get("name");
        accounts.change(name, role, password);
        Json.send(res, 200, Map.of("username", name, "changed", true));
    }

    private void deleteUser(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        String name = req.path().pathParameters().get("name");
        if (SessionAuthentication.session(req).map(s -> s.username().equals(name)).orElse(false)) {
            throw new BadRequestException(409, "you cannot delete yourself; another admin can");
        }
        accounts.delete(name);
        res.status(204);
        res.send();
    }

    private void keys(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, Map.of("keys", accounts.keys(signedIn(req).username()).stream()
                .map(AccountsService::key).toList()));
    }

    private void createKey(ServerRequest req, ServerResponse res) {
        Accounts.Session s = signedIn(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String scope = body.path("scope").asText("use");
        if (!scope.equals("use") && !scope.equals("admin")) {
            throw new BadRequestException("scope: 'use' or 'admin', got '" + scope + "'");
        }
        Accounts.NewKey k = accounts.createKey(s.username(), body.path("name").asText(""),
                scope.equals("admin") ? ApiKeys.Scope.ADMIN : ApiKeys.Scope.USE);
        Map<String, Object> m = key(k.key());
        m.put("key", k.value());
        Json.send(res, 201, m);
    }

    private void deleteKey(ServerRequest req, ServerResponse res) {
        long id;
        try {
            id = Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            throw new BadRequestException(404, "no such key");
        }
        accounts.deleteKey(signedIn(req).username(), id);
        res.status(204);
        res.send();
    }

    private static Accounts.Session signedIn(ServerRequest req) {
        return SessionAuthentication.session(req).orElseThrow(() -> new BadRequestException(401,
                "sign in to the console to manage your own keys (POST /admin/login)"));
    }

    private static void requireAdmin(ServerRequest req) {
        if (!ApiKeys.access(req).admin()) {
            throw new BadRequestException(403, "managing users needs an admin");
        }
    }

    private void sendSignIn(ServerRequest req, ServerResponse res, int status, Accounts.SignIn in) {
        res.header(HeaderNames.SET_COOKIE, SessionAuthentication.COOKIE + "=" + in.token() + "; Path=/; Max-Age="
                + Accounts.SESSION_LIFETIME.toSeconds() + "; HttpOnly; SameSite=Strict" + (secure(req) ? "; Secure" : ""));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", in.session().username());
        m.put("role", in.session().role().label());
        m.put("csrf", in.session().csrf());
        m.put("expires_at", in.session().expiresAt().toString());
        Json.send(res, status, m);
    }

    /** Whether the browser reached us over https: directly, or through a proxy that says so. */
    private static boolean secure(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase)
                .orElse(false);
    }

    private static Optional<String> cookie(ServerRequest req) {
        return req.headers().cookies().first(SessionAuthentication.COOKIE).asOptional();
    }

    private static String address(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : String.valueOf(req.remotePeer().address());
    }

    private static String text(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new BadRequestException("'" + name + "' is required (a string)");
        }
        return n.asText();
    }

    private static Role role(String s) {
        return Role.parse(s).orElseThrow(() -> new BadRequestException("role: admin, operator or viewer, got '"
                + s + "'"));
    }

    private static Map<String, Object> user(Accounts.User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", u.username());
        m.put("role", u.role().label());
        m.put("created_at", u.createdAt().toString());
        m.put("last_sign_in", u.lastSignIn().map(Object::toString).orElse(""));
        return m;
    }

    private static Map<String, Object> key(Accounts.OwnKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("name", k.name());
        m.put("scope", k.scope().label());
        m.put("created_at", k.createdAt().toString());
        return m;
    }
}

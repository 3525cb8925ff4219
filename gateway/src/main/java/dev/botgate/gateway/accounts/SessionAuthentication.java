package dev.botgate.gateway.accounts;

import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.HttpErrors;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a console session cookie into the request's {@link ApiKeys.Access}, in front of {@link ApiKeys}: a request
 * with a valid session counts like a key of its user's role, and its role decides what it may change.
 *
 * <p>CSRF: every state-changing request authenticated by the cookie must carry the session's token in
 * {@value #CSRF_HEADER} (double submit: the page got it from the sign-in answer or {@code GET /admin/session}, which
 * another site's page cannot read). Behind that stand the cookie's {@code SameSite=Strict} (a browser sends it on no
 * cross-site request), {@code CrossSiteGuard}'s refusal of state-changing requests from foreign origins, and the JSON
 * body check (a form cannot post JSON). A request with an {@code Authorization} header is left to {@link ApiKeys}.
 */
public final class SessionAuthentication implements Filter {
    /** The session cookie's name. */
    public static final String COOKIE = "botgate_session";
    /** The header that carries the session's CSRF token. */
    public static final String CSRF_HEADER = "X-Botgate-CSRF";
    private static final HeaderName CSRF = HeaderNames.create(CSRF_HEADER);
    private static final List<String> PROTECTED = List.of("/api/", "/v1/", "/admin/", "/metrics");
    private static final Set<Method> READS = Set.of(Method.GET, Method.HEAD, Method.OPTIONS);
    /** Paths every signed-in user may change: their own session and keys. */
    private static final Pattern OWN = Pattern.compile("/admin/(logout|me/.*)");
    /** What operators may change besides: knowledge, conversations, handoffs, reviews, bots' texts. */
    private static final Pattern OPERATOR = Pattern.compile(
            "/admin/(kb|conversations|review|handoff)(/.*)?|/admin/bots/[^/]+/(texts|feedback)");
    private final Accounts accounts;

    public SessionAuthentication(Accounts accounts) {
        this.accounts = accounts;
    }

    /** The session a request was authenticated by, if it was. */
    public static Optional<Accounts.Session> session(ServerRequest req) {
        return req.context().get(Accounts.Session.class);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().absolute().path();
        if (PROTECTED.stream().noneMatch(path::startsWith) || AccountsService.OPEN.contains(path)
                || req.headers().contains(HeaderNames.AUTHORIZATION)) {
            chain.proceed();
            return;
        }
        Optional<String> token = req.headers().cookies().first(COOKIE).asOptional();
        Optional<Accounts.Session> session = token.flatMap(accounts::session);
        if (session.isEmpty()) {
            chain.proceed();    // no session: API keys (or the loopback default) decide
            return;
        }
        Accounts.Session s = session.get();
        Method method = req.prologue().method();
        if (!READS.contains(method)) {
            String sent = req.headers().first(CSRF).orElse("");
            if (!MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    s.csrf().getBytes(StandardCharsets.UTF_8))) {
                HttpErrors.send(req, res, 403, "missing or wrong " + CSRF_HEADER + " header: a state-changing request "
                        + "signed in by cookie must carry the token from POST /admin/login or GET /admin/session");
                return;
            }
        }
        if (!allowed(s.role(), method, path)) {
            HttpErrors.send(req, res, 403, "your role '" + s.role().label() + "' may not " + method.text() + " "
                    + path + (s.role() == Role.VIEWER ? ": viewers read only" : ": ask an admin"));
            return;
        }
        req.context().register(s);
        req.context().register(dev.botgate.gateway.http.AdminService.USER, s.username());
        req.context().register(new ApiKeys.Access(s.role() == Role.ADMIN ? ApiKeys.Scope.ADMIN : ApiKeys.Scope.USE,
                false));
        chain.proceed();
    }

    /** Whether a role may call a route. */
    static boolean allowed(Role role, Method method, String path) {
        if (role == Role.ADMIN) {
            return true;
        }
        if (path.startsWith("/admin/users")) {
            return false;   // who may do what is the admins' business, reading included
        }
        if (READS.contains(method) || ApiKeys.useMay(method, path) || OWN.matcher(path).matches()) {
            return true;
        }
        return role == Role.OPERATOR && OPERATOR.matcher(path).matches();
    }
}

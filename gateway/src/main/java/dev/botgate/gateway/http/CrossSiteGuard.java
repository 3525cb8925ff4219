package dev.botgate.gateway.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps web pages on other sites from driving the server through the operator's browser, as Ollama does.
 * <ul>
 *   <li><b>Host</b> (DNS rebinding): a page on {@code attacker.example} whose name is re-pointed at 127.0.0.1 is
 *   same-origin for the browser, but its requests still say {@code Host: attacker.example}. While the server listens
 *   on loopback, or once {@code server.allowed-hosts} is set, only this machine's names, the bound address and the
 *   listed hosts are served; anything else gets 403. Platform callbacks ({@code /hooks/*}) are exempt: they carry
 *   their platform's signature and arrive through proxies that forward the public name.</li>
 *   <li><b>Origin</b> (cross-site requests): the console itself (same origin), {@code http(s)://localhost},
 *   {@code 127.0.0.1} and {@code [::1]} on any port, and {@code server.allowed-origins} get CORS headers, and their
 *   preflight {@code OPTIONS} is answered 204. Any other origin gets no CORS headers, its preflight is refused and
 *   so is any state-changing request (POST, PUT, PATCH, DELETE) it sends without one (a form, a no-cors fetch).</li>
 * </ul>
 */
public final class CrossSiteGuard implements Filter {
    private static final Set<Method> STATE_CHANGING = Set.of(Method.POST, Method.PUT, Method.PATCH, Method.DELETE);
    private static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
    private static final String ALLOW_HEADERS = "Authorization, Content-Type, Accept, User-Agent, X-Requested-With";
    private static final Pattern HEADER_LIST = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+(\\s*,\\s*"
            + "[A-Za-z0-9!#$%&'*+.^_`|~-]+)*");
    private static final HeaderName PRIVATE_NETWORK_REQUEST =
            HeaderNames.create("Access-Control-Request-Private-Network");
    private static final HeaderName PRIVATE_NETWORK_ALLOW = HeaderNames.create("Access-Control-Allow-Private-Network");
    /** Request context key under which an allowed origin is kept, so error responses carry CORS headers too. */
    private static final String ALLOWED_ORIGIN = CrossSiteGuard.class.getName() + ".origin";

    private final boolean checkHost;
    private final String boundHost;
    private final List<String> allowedHosts;
    private final List<Pattern> allowedOrigins;

    /**
     * @param loopbackBound  whether the server listens on a loopback address only
     * @param boundHost      the address it listens on
     * @param allowedHosts   {@code server.allowed-hosts}: names, or {@code *.domain} for its subdomains
     * @param allowedOrigins {@code server.allowed-origins}: origins, {@code *} matching any run of characters
     */
    public CrossSiteGuard(boolean loopbackBound, String boundHost, List<String> allowedHosts,
                          List<String> allowedOrigins) {
        this.checkHost = loopbackBound || !allowedHosts.isEmpty();
        this.boundHost = hostName(boundHost);
        this.allowedHosts = allowedHosts.stream().map(CrossSiteGuard::hostName).toList();
        this.allowedOrigins = allowedOrigins.stream().map(CrossSiteGuard::glob).toList();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().absolute().path();
        if (checkHost && !path.startsWith("/hooks/")) {
            String host = req.headers().first(HeaderNames.HOST).orElse("");
            if (!host.isEmpty() && !allowedHost(hostName(host))) {
                HttpErrors.send(req, res, 403, "Host '" + clip(host) + "' is not served here (DNS rebinding "
                        + "protection): use localhost or 127.0.0.1, or add the name to server.allowed-hosts");
                return;
            }
        }
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            chain.proceed();    // not a cross-origin browser request
            return;
        }
        res.header(HeaderNames.VARY, "Origin");
        Method method = req.prologue().method();
        boolean preflight = method.equals(Method.OPTIONS)
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!allowedOrigin(origin.get(), req.headers().first(HeaderNames.HOST).orElse(""))) {
            if (preflight || STATE_CHANGING.contains(method)) {
                HttpErrors.send(req, res, 403, "origin '" + clip(origin.get()) + "' is not allowed to call this "
                        + "server; add it to server.allowed-origins if it should be");
                return;
            }
            chain.proceed();    // a read without CORS headers: the browser keeps the answer from the page
            return;
        }
        req.context().register(ALLOWED_ORIGIN, origin.get());
        corsHeaders(req, res);
        if (preflight) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
            String asked = req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).orElse("").trim();
            // Echo what an allowed page asks for (SDKs add their own headers, e.g. OpenAI's x-stainless-*).
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, HEADER_LIST.matcher(asked).matches()
                    ? ALLOW_HEADERS + ", " + asked : ALLOW_HEADERS);
            res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            if (req.headers().contains(PRIVATE_NETWORK_REQUEST)) {
                // Chrome asks before a public page (an allowed origin) may call a local address.
                res.header(PRIVATE_NETWORK_ALLOW, "true");
            }
            res.status(204);
            res.send();
            return;
        }
        chain.proceed();
    }

    /** Sets CORS headers on a response to an allowed origin; error responses call this after their reset. */
    static void corsHeaders(ServerRequest req, ServerResponse res) {
        req.context().get(ALLOWED_ORIGIN, String.class).ifPresent(origin -> {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.VARY, "Origin");
        });
    }

    private boolean allowedHost(String name) {
        if (loopbackName(name) || name.equals(boundHost)) {
            return true;
        }
        for (String h : allowedHosts) {
            if (h.equals(name) || h.startsWith("*.") && name.endsWith(h.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private boolean allowedOrigin(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        for (Pattern p : allowedOrigins) {
            if (p.matcher(o).matches()) {
                return true;
            }
        }
        URI uri;
        try {
            uri = new URI(o);
        } catch (URISyntaxException e) {
            return false;   // "null" (sandboxed frames, file pages) and garbage
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            return false;
        }
        // Same origin: the console served by this server (on whatever name the operator opened it).
        if (uri.getRawAuthority().equals(host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        return (uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                && loopbackName(hostName(uri.getRawAuthority()));
    }

    /** Whether a name or address always means this machine: localhost, *.localhost (RFC 6761), 127/8, ::1. */
    static boolean loopbackName(String name) {
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (name.matches("127(\\.\\d{1,3}){3}")) {
            return true;
        }
        return name.equals("::1") || name.equals("0:0:0:0:0:0:0:1");
    }

    /** The host name of a Host header or authority: no port, no brackets, lower case, no trailing dot. */
    static String hostName(String authority) {
        String a = authority.trim().toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            a = end > 0 ? a.substring(1, end) : a.substring(1);
        } else if (a.indexOf(':') == a.lastIndexOf(':') && a.indexOf(':') >= 0) {
            a = a.substring(0, a.indexOf(':'));
        }
        return a.endsWith(".") ? a.substring(0, a.length() - 1) : a;
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.trim().toLowerCase(Locale.ROOT).split("\\*", -1)) {
            if (!re.isEmpty()) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}

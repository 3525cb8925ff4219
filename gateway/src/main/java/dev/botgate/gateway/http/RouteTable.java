package dev.botgate.gateway.http;

import io.helidon.common.uri.UriFragment;
import io.helidon.common.uri.UriPath;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpService;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The routes each service registered, kept so that a path that exists under another method is answered 405 with
 * {@code Allow} instead of 404 (Helidon answers both with the same "not found"). Services are recorded by wrapping
 * them at registration; the routes are matched the way Helidon matches them (prefix first, then the route).
 */
public final class RouteTable {
    private static final List<Method> METHODS = List.of(Method.GET, Method.POST, Method.PUT, Method.PATCH,
            Method.DELETE);
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private record Entry(PathMatcher prefix, HttpRoute route) {
    }

    /** Wraps a service registered under {@code prefix} so that its routes are recorded here. */
    public HttpService record(String prefix, HttpService service) {
        return new Recorded(service, PathMatchers.create(prefix));
    }

    /** Wraps a service registered without a prefix. */
    public HttpService record(HttpService service) {
        return new Recorded(service, PathMatchers.any());
    }

    /** The methods some route accepts for this path, with HEAD beside GET; empty for an unknown path. */
    public Set<String> allowed(String path) {
        Set<String> allowed = new TreeSet<>();
        UriPath uri = UriPath.create(path);
        for (Entry e : entries) {
            PathMatchers.PrefixMatchResult prefix = e.prefix().prefixMatch(uri);
            if (!prefix.accepted()) {
                continue;
            }
            for (Method m : METHODS) {
                HttpPrologue p = HttpPrologue.create("HTTP/1.1", "HTTP", "1.1", m, prefix.unmatchedPath(),
                        UriQuery.empty(), UriFragment.empty());
                if (e.route().accepts(p).accepted()) {
                    allowed.add(m.text());
                    if (m.equals(Method.GET)) {
                        allowed.add(Method.HEAD.text());
                    }
                }
            }
        }
        return allowed;
    }

    /** A service whose routing goes through {@link Recording}; its lifecycle is the service's own. */
    private final class Recorded implements HttpService {
        private final HttpService service;
        private final PathMatcher prefix;

        Recorded(HttpService service, PathMatcher prefix) {
            this.service = service;
            this.prefix = prefix;
        }

        @Override
        public void routing(HttpRules rules) {
            service.routing(new Recording(rules, prefix));
        }

        @Override
        public void beforeStart() {
            service.beforeStart();
        }

        @Override
        public void afterStart(WebServer server) {
            service.afterStart(server);
        }

        @Override
        public void afterStop() {
            service.afterStop();
        }
    }

    /** Records each route as the service adds it and passes it on. */
    private final class Recording implements HttpRules {
        private final HttpRules rules;
        private final PathMatcher prefix;

        Recording(HttpRules rules, PathMatcher prefix) {
            this.rules = rules;
            this.prefix = prefix;
        }

        @Override
        public HttpRules register(HttpService... services) {
            rules.register(services);
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            rules.register(pathPattern, services);
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            entries.add(new Entry(prefix, route));
            rules.route(route);
            return this;
        }
    }
}

package dev.botgate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Locale;
import java.util.Set;

/**
 * Requests to the JSON APIs ({@code /api}, {@code /v1}, {@code /admin}) carry a JSON body.
 * <ul>
 *   <li>POST, PUT and PATCH without a body get 400, before a handler tries to read one.</li>
 *   <li>A body typed {@code text/plain}, {@code multipart/form-data} or anything else not JSON gets 415: those are the
 *   types a page on another site can send without a CORS preflight. Untyped bodies and the form type that
 *   {@code curl -d} sends are accepted from clients that are not browsers (no {@code Origin} header), so the
 *   documented curl lines keep working; browsers always send {@code Origin} with these methods.</li>
 * </ul>
 * Knowledge-base uploads (multipart) and platform callbacks (whatever the platform sends) are not JSON routes.
 */
public final class JsonBodies implements Filter {
    private static final Set<Method> WITH_BODY = Set.of(Method.POST, Method.PUT, Method.PATCH);
    private static final Set<Method> MAY_HAVE_BODY = Set.of(Method.POST, Method.PUT, Method.PATCH, Method.DELETE);

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Method method = req.prologue().method();
        if (BodyKind.of(req.path().absolute().path()) != BodyKind.JSON || !MAY_HAVE_BODY.contains(method)) {
            chain.proceed();
            return;
        }
        boolean hasBody = req.headers().contains(HeaderNames.TRANSFER_ENCODING)
                || req.headers().contentLength().orElse(0L) > 0;
        if (!hasBody) {
            if (WITH_BODY.contains(method)) {
                HttpErrors.send(req, res, 400, "request body is empty: send a JSON object with "
                        + "'Content-Type: application/json'");
                return;
            }
            chain.proceed();
            return;
        }
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        String media = (type.contains(";") ? type.substring(0, type.indexOf(';')) : type).trim()
                .toLowerCase(Locale.ROOT);
        boolean browser = req.headers().contains(HeaderNames.ORIGIN);
        boolean json = media.equals("application/json") || media.startsWith("application/") && media.endsWith("+json");
        boolean plainClient = !browser && (media.isEmpty() || media.equals("application/x-www-form-urlencoded"));
        if (!json && !plainClient) {
            HttpErrors.send(req, res, 415, "Content-Type '" + (type.isEmpty() ? "(none)" : clip(type))
                    + "' is not accepted here: send JSON with 'Content-Type: application/json'");
            return;
        }
        chain.proceed();
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}

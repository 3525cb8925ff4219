package dev.botgate.backend.store;

import dev.botgate.backend.store.PullException.Kind;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a pull may download from (setting {@code models.pull-hosts}). Each entry is one of:
 * <ul>
 *   <li>{@code huggingface.co}: https to that host and any subdomain ({@code cdn-lfs.huggingface.co}), any port;</li>
 *   <li>{@code https://mirror.example:8443}: https to exactly that host, and that port when one is given;</li>
 *   <li>{@code http://10.0.0.5:8000}: plain http (or https) to exactly that host and port, for a mirror on a trusted
 *       network; plain http is never allowed otherwise.</li>
 * </ul>
 * The first URL and every redirect are checked, so a listed host cannot hand a pull on to an unlisted one.
 *
 * <pre>{@code
 * PullPolicy.defaults().check(URI.create("https://huggingface.co/Qwen/x/resolve/main/x.gguf")); // passes
 * PullPolicy.defaults().check(URI.create("http://10.0.0.1/x.gguf"));  // PullException NOT_ALLOWED
 * }</pre>
 *
 * @param hosts the entries, as configured
 */
public record PullPolicy(List<String> hosts) {
    /**
     * The hubs the catalogue and {@code hf://} use, and Hugging Face's download CDN ({@code hf.co}: its files are
     * served from {@code cdn-lfs*.hf.co} and {@code cas-bridge.xethub.hf.co}).
     */
    public static final List<String> DEFAULT_HOSTS = List.of("huggingface.co", "hf.co", "hf-mirror.com",
            "modelscope.cn");
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
            + "|\\[[0-9a-f:.]+\\]");

    public PullPolicy {
        hosts = hosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        for (String entry : hosts) {
            parse(entry);
        }
    }

    /** The default hosts, https only. */
    public static PullPolicy defaults() {
        return new PullPolicy(DEFAULT_HOSTS);
    }

    /**
     * Passes when {@code url} may be fetched.
     *
     * @throws PullException {@link Kind#NOT_ALLOWED}, naming the host and the setting
     */
    public void check(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new PullException(Kind.NOT_ALLOWED, "cannot pull from '" + url + "': only https (and http to hosts "
                    + "listed as http://HOST:PORT in models.pull-hosts) is allowed");
        }
        if (host.isEmpty()) {
            throw new PullException(Kind.NOT_ALLOWED, "cannot pull from '" + url + "': it names no host");
        }
        boolean hostListed = false;
        for (String entry : hosts) {
            Entry e = parse(entry);
            if (e.matches(scheme, host, url.getPort())) {
                return;
            }
            hostListed |= e.matches("https", host, url.getPort());
        }
        String where = host + (url.getPort() >= 0 ? ":" + url.getPort() : "");
        if (scheme.equals("http") && hostListed) {
            throw new PullException(Kind.NOT_ALLOWED, "refused to pull over plain http from " + where + ": downloads "
                    + "use https; to allow http to a mirror on a trusted network, list it as http://" + where
                    + " in models.pull-hosts");
        }
        throw new PullException(Kind.NOT_ALLOWED, "refused to pull from " + where + ": it is not in models.pull-hosts "
                + "(allowed: " + String.join(", ", hosts) + "); add it there to allow it");
    }

    private record Entry(boolean http, boolean exact, String host, int port) {
        boolean matches(String scheme, String h, int p) {
            if (scheme.equals("http") && !http) {
                return false;
            }
            if (port >= 0 && port != effectivePort(scheme, p)) {
                return false;
            }
            return h.equals(host) || (!exact && h.endsWith("." + host));
        }

        private static int effectivePort(String scheme, int p) {
            return p >= 0 ? p : scheme.equals("http") ? 80 : 443;
        }
    }

    private static Entry parse(String entry) {
        String rest = entry;
        boolean http = false;
        boolean exact = false;
        if (rest.startsWith("http://")) {
            http = true;
            exact = true;
            rest = rest.substring("http://".length());
        } else if (rest.startsWith("https://")) {
            exact = true;
            rest = rest.substring("https://".length());
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int port = -1;
        int colon = rest.lastIndexOf(':');
        if (colon > 0 && rest.indexOf(']') < colon) {
            if (!exact) {
                throw bad(entry, "a port needs the scheme, e.g. https://" + rest);
            }
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw bad(entry, "the port is not a number");
            }
            if (port < 1 || port > 65535) {
                throw bad(entry, "the port must be 1-65535");
            }
            rest = rest.substring(0, colon);
        }
        if (!HOST.matcher(rest).matches()) {
            throw bad(entry, "not a host name");
        }
        return new Entry(http, exact, Objects.requireNonNull(rest), port);
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("models.pull-hosts entry '" + entry + "': " + why + "; write a host "
                + "(huggingface.co), https://HOST[:PORT] or http://HOST:PORT");
    }
}

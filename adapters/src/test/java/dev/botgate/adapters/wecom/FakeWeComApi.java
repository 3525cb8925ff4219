package dev.botgate.adapters.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.FakeApiServer.Recorded;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WeCom API as far as Botgate uses it: {@code GET /cgi-bin/gettoken} (checks corpid and corpsecret, issues
 * numbered tokens) and {@code POST /cgi-bin/message/send} (checks the token: 42001 once {@link #expireTokens()} was
 * called, 40014 for unknown ones). Records everything; queue failures through {@link #server()}.
 */
public final class FakeWeComApi implements AutoCloseable {
    private final String corpId;
    private final String secret;
    private final FakeApiServer server;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = new HashSet<>();
    private final Set<String> expired = new HashSet<>();
    private final List<JsonNode> accepted = new java.util.ArrayList<>();

    private FakeWeComApi(String corpId, String secret) {
        this.corpId = corpId;
        this.secret = secret;
        this.server = FakeApiServer.start(this::answer);
    }

    /** Starts a fake that accepts these credentials. */
    public static FakeWeComApi start(String corpId, String secret) {
        return new FakeWeComApi(corpId, secret);
    }

    /** The {@code api-base} to configure. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The underlying server: requests, canned failures. */
    public FakeApiServer server() {
        return server;
    }

    /** How many tokens {@code gettoken} issued. */
    public int tokensIssued() {
        return issued.get();
    }

    /** Every token issued so far now answers errcode 42001 (access_token expired). */
    public synchronized void expireTokens() {
        expired.addAll(valid);
        valid.clear();
    }

    /** Bodies of the messages WeCom accepted, in order. */
    public synchronized List<JsonNode> accepted() {
        return List.copyOf(accepted);
    }

    /** The texts WeCom accepted for a user, in order. */
    public List<String> textsTo(String userId) {
        return accepted().stream().filter(j -> j.path("touser").asText().equals(userId))
                .map(j -> j.path("text").path("content").asText()).toList();
    }

    private synchronized Canned answer(Recorded r) {
        switch (r.path()) {
            case "/cgi-bin/gettoken" -> {
                if (!corpId.equals(r.query().get("corpid")) || !secret.equals(r.query().get("corpsecret"))) {
                    return Canned.json(200, "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}");
                }
                String t = "wecom-token-" + issued.incrementAndGet();
                valid.add(t);
                return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"access_token\":\"" + t
                        + "\",\"expires_in\":7200}");
            }
            case "/cgi-bin/message/send" -> {
                String t = r.query().getOrDefault("access_token", "");
                if (expired.contains(t)) {
                    return Canned.json(200, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
                }
                if (!valid.contains(t)) {
                    return Canned.json(200, "{\"errcode\":40014,\"errmsg\":\"invalid access_token\"}");
                }
                accepted.add(r.json());
                return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\",\"invaliduser\":\"\",\"msgid\":\"m"
                        + r.hashCode() + "\"}");
            }
            default -> {
                return Canned.json(404, "{\"errcode\":404,\"errmsg\":\"not found\"}");
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

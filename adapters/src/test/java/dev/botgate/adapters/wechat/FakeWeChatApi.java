package dev.botgate.adapters.wechat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.FakeApiServer.Recorded;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Official Account API as far as Botgate uses it: {@code GET /cgi-bin/token} (checks appid and secret) and
 * {@code POST /cgi-bin/message/custom/send} (42001 after {@link #expireTokens()}, 40001 for unknown tokens).
 */
public final class FakeWeChatApi implements AutoCloseable {
    private final String appId;
    private final String secret;
    private final FakeApiServer server;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = new HashSet<>();
    private final Set<String> expired = new HashSet<>();
    private final List<JsonNode> accepted = new ArrayList<>();

    private FakeWeChatApi(String appId, String secret) {
        this.appId = appId;
        this.secret = secret;
        this.server = FakeApiServer.start(this::answer);
    }

    /** Starts a fake accepting these credentials. */
    public static FakeWeChatApi start(String appId, String secret) {
        return new FakeWeChatApi(appId, secret);
    }

    /** The {@code api-base} to configure. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The underlying server. */
    public FakeApiServer server() {
        return server;
    }

    /** Tokens issued so far. */
    public int tokensIssued() {
        return issued.get();
    }

    /** Every issued token now answers 42001. */
    public synchronized void expireTokens() {
        expired.addAll(valid);
        valid.clear();
    }

    /** Accepted customer-service messages, in order. */
    public synchronized List<JsonNode> accepted() {
        return List.copyOf(accepted);
    }

    /** Texts accepted for one follower. */
    public List<String> textsTo(String openId) {
        return accepted().stream().filter(j -> j.path("touser").asText().equals(openId))
                .map(j -> j.path("text").path("content").asText()).toList();
    }

    private synchronized Canned answer(Recorded r) {
        switch (r.path()) {
            case "/cgi-bin/token" -> {
                if (!appId.equals(r.query().get("appid")) || !secret.equals(r.query().get("secret"))) {
                    return Canned.json(200, "{\"errcode\":40125,\"errmsg\":\"invalid appsecret\"}");
                }
                String t = "oa-token-" + issued.incrementAndGet();
                valid.add(t);
                return Canned.json(200, "{\"access_token\":\"" + t + "\",\"expires_in\":7200}");
            }
            case "/cgi-bin/message/custom/send" -> {
                String t = r.query().getOrDefault("access_token", "");
                if (expired.contains(t)) {
                    return Canned.json(200, "{\"errcode\":42001,\"errmsg\":\"access_token expired\"}");
                }
                if (!valid.contains(t)) {
                    return Canned.json(200, "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}");
                }
                accepted.add(r.json());
                return Canned.json(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
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

package dev.botgate.gateway.http;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testng.annotations.Test;

/**
 * Issue 9: the Host check on a server bound beyond loopback. Off by default there (a reverse proxy forwards whatever
 * public name users type, and keys protect the API); on once {@code server.allowed-hosts} names the public hosts.
 */
public class AllowedHostsTest {
    private static final String KEY = "bg-hosts-key";

    private static Map<String, String> auth(String host) {
        return Map.of("Host", host, "Authorization", "Bearer " + KEY);
    }

    @Test
    public void allowedHostsAreEnforcedOnAPublicAddress() throws Exception {
        try (TestGateway gw = TestGateway.start("""
                server:
                  host: 0.0.0.0
                  port: 0
                  api-keys: ["%s"]
                  allowed-hosts: [bots.example.org, "*.corp.example"]
                """.formatted(ApiKeys.hash(KEY)), Map.of())) {
            int port = gw.botgate().port();
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("bots.example.org"), null).status(), 200);
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("BOTS.example.org:443"), null).status(), 200,
                    "names compare without case and port");
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("ai.corp.example"), null).status(), 200);
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("localhost:" + port), null).status(), 200);
            RawHttp.Response other = RawHttp.send(port, "GET", "/api/tags", auth("attacker.example"), null);
            assertEquals(other.status(), 403, other.body());
            assertTrue(other.body().contains("server.allowed-hosts"), other.body());
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("corp.example.attacker.example"), null)
                    .status(), 403);
            assertEquals(RawHttp.send(port, "GET", "/hooks/wecom/none", Map.of("Host", "attacker.example"), null)
                    .status(), 404, "callbacks are not Host-checked: refused as unknown bot, not 403");
        }
    }

    @Test
    public void aPublicAddressWithoutAllowedHostsServesAnyName() throws Exception {
        try (TestGateway gw = TestGateway.start("""
                server:
                  host: 0.0.0.0
                  port: 0
                  api-keys: ["%s"]
                """.formatted(ApiKeys.hash(KEY)), Map.of())) {
            int port = gw.botgate().port();
            assertEquals(RawHttp.send(port, "GET", "/api/tags", auth("bots.example.org"), null).status(), 200,
                    "behind a proxy the public name arrives as Host");
            assertEquals(RawHttp.send(port, "GET", "/api/tags", Map.of("Host", "bots.example.org"), null).status(),
                    401, "the key is what protects a public address");
        }
    }

    @Test
    public void listsMayBeWrittenAsOneCommaSeparatedString() throws Exception {
        Path f = Files.createTempFile("cfg", ".yaml");
        Files.writeString(f, """
                server:
                  allowed-origins: "https://a.example, https://*.b.example"
                  allowed-hosts: [bots.example.org]
                """);
        Settings s = Settings.from(ConfigFiles.load(Optional.of(f), Map.of()), Map.of());
        assertEquals(s.server().allowedOrigins(), List.of("https://a.example", "https://*.b.example"));
        assertEquals(s.server().allowedHosts(), List.of("bots.example.org"));
        assertEquals(s.server().maxHookBodyBytes(), 262_144L, "the shipped default");
    }
}

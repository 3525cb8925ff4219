package dev.botgate.adapters.delivery;

import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.FakeApiServer.Canned;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.TestClock;
import org.testng.annotations.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

/** Retry rules of the platform HTTP client, over real HTTP. */
public class ApiClientTest {

    @Test
    public void fourHundredsAreReturnedNotRetried() {
        TestClock clock = new TestClock(Instant.EPOCH);
        try (FakeApiServer s = FakeApiServer.start(r -> Canned.json(403, "{\"error\":\"no\"}"));
             ApiClient c = new ApiClient("Test", s.baseUrl(), clock.options())) {
            ApiResponse r = c.call(ApiRequest.get("/x"));
            assertEquals(r.status(), 403);
            assertEquals(r.text("error"), "no");
            assertEquals(s.requests().size(), 1);
            assertTrue(clock.sleeps().isEmpty());
        }
    }

    @Test
    public void retryAfterInDateFormFallsBackToBackoff() {
        TestClock clock = new TestClock(Instant.EPOCH);
        try (FakeApiServer s = FakeApiServer.start(r -> Canned.json(200, "{\"ok\":true}"));
             ApiClient c = new ApiClient("Test", s.baseUrl(), clock.options())) {
            s.enqueue("/x", new Canned(429, Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), "{}",
                    Duration.ZERO));
            assertTrue(c.call(ApiRequest.get("/x")).json().path("ok").asBoolean());
            assertEquals(clock.sleeps(), List.of(Duration.ofMillis(500)));
        }
    }

    @Test
    public void queryAndHeadersAreSentButNeverInErrors() {
        TestClock clock = new TestClock(Instant.EPOCH);
        try (FakeApiServer s = FakeApiServer.start(r -> Canned.json(500, "{}"));
             ApiClient c = new ApiClient("Test", s.baseUrl(), clock.options())) {
            SendException e = expectThrows(SendException.class, () -> c.call(ApiRequest.post("/send", "{\"a\":1}")
                    .query("access_token", "SECRET-TOKEN").header("Authorization", "Bearer SECRET-BEARER")));
            FakeApiServer.Recorded first = s.requests().get(0);
            assertEquals(first.query().get("access_token"), "SECRET-TOKEN");
            assertEquals(first.headers().get("Authorization"), "Bearer SECRET-BEARER");
            assertEquals(first.json().path("a").asInt(), 1);
            assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
            assertTrue(e.getMessage().contains("POST /send"), e.getMessage());
        }
    }

    @Test
    public void connectionRefusedIsRetryable() {
        TestClock clock = new TestClock(Instant.EPOCH);
        String dead;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            dead = "http://127.0.0.1:" + free.getLocalPort(); // closed again before the call: nothing listens
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (ApiClient c = new ApiClient("Test", dead, clock.options())) {
            SendException e = expectThrows(SendException.class, () -> c.call(ApiRequest.get("/x")
                    .query("access_token", "SECRET-TOKEN")));
            assertTrue(e.retryable());
            assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
            assertEquals(clock.sleeps().size(), 3, "3 waits between 4 attempts");
        }
    }
}

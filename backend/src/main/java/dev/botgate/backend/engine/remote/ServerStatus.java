package dev.botgate.backend.engine.remote;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One server of an engine, as {@code /admin/engines} shows it.
 *
 * @param url         the base URL
 * @param up          whether requests go to it (false: taken out after failures until a health check passes)
 * @param lastError   the last failure, empty when none
 * @param lastErrorAt when that was
 * @param downSince   since when it is out
 * @param latency     time to response headers of the last request or health check
 * @param inFlight    requests running on it now
 * @param requests    requests sent to it since start
 * @param failures    failed requests and attempts since start
 */
public record ServerStatus(String url, boolean up, String lastError, Optional<Instant> lastErrorAt,
                           Optional<Instant> downSince, Optional<Duration> latency, int inFlight, long requests,
                           long failures) {
}

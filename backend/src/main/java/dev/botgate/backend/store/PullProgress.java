package dev.botgate.backend.store;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a pull, in the shape of Ollama's pull progress ({@code {"status":"...","digest":"...","total":N,
 * "completed":N}}); the CLI draws its progress bar from it, {@code POST /api/pull} streams it as NDJSON.
 *
 * <p>Statuses, in order: {@code pulling manifest}, {@code downloading} (or {@code importing} for a local file) with
 * bytes, {@code verifying sha256 digest}, {@code checking model}, {@code writing manifest}, {@code success}.
 *
 * @param status         what is happening, in Ollama's words
 * @param digest         {@code sha256:<hex>} of the file being transferred when known, else empty
 * @param total          bytes to transfer, 0 when not known (yet)
 * @param completed      bytes transferred so far, including a resumed prefix
 * @param bytesPerSecond transfer speed over this attempt, 0 when not measured
 * @param eta            time left at that speed, when it can be estimated
 */
public record PullProgress(String status, String digest, long total, long completed, double bytesPerSecond,
                           Optional<Duration> eta) {
    public PullProgress {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(eta, "eta");
    }

    static PullProgress status(String status) {
        return new PullProgress(status, "", 0, 0, 0, Optional.empty());
    }

    static PullProgress transfer(String status, String digest, long total, long completed, double rate) {
        Optional<Duration> eta = rate > 0 && total > completed
                ? Optional.of(Duration.ofMillis((long) ((total - completed) * 1000 / rate)))
                : Optional.empty();
        return new PullProgress(status, digest, total, completed, rate, eta);
    }
}

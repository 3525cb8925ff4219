package dev.botgate.adapters.wecomaibot;

import dev.botgate.adapters.delivery.TextSplitter;

import java.time.Duration;

/**
 * One streamed answer: what WeCom's refresh callbacks (or the long connection's frames) show, growing until it is
 * finished. Written by the answering worker, read by the callbacks. Thread-safe.
 */
final class AiBotStream {
    /** Third-party code caps stream content at 20480 bytes; the official text was not readable (unconfirmed). */
    static final int MAX_CONTENT_BYTES = 20_480;

    private final String id;
    private final long receivedAt;
    private String content = "";
    private boolean finished;
    private boolean finalServed;

    AiBotStream(String id, long receivedAt) {
        this.id = id;
        this.receivedAt = receivedAt;
    }

    String id() {
        return id;
    }

    long receivedAt() {
        return receivedAt;
    }

    /** The answer so far. */
    synchronized void update(String soFar) {
        if (!finished) {
            content = fit(soFar);
        }
    }

    /** The whole answer: the stream is finished. */
    synchronized void finish(String all) {
        content = fit(all);
        finished = true;
        notifyAll();
    }

    /** Waits up to {@code timeout} for the answer to finish; true if it has. */
    synchronized boolean awaitFinished(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!finished) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** What a refresh shows now; marks the final content as shown once it is. */
    synchronized Snapshot snapshot() {
        if (finished) {
            finalServed = true;
        }
        return new Snapshot(id, content, finished);
    }

    /** Whether the finished answer was shown by a refresh. */
    synchronized boolean finalServed() {
        return finalServed;
    }

    private static String fit(String text) {
        if (TextSplitter.utf8Length(text) <= MAX_CONTENT_BYTES) {
            return text;
        }
        return TextSplitter.utf8Bytes(text, MAX_CONTENT_BYTES - 4).getFirst() + " …";
    }

    /** One view of the stream. */
    record Snapshot(String id, String content, boolean finished) {
    }
}

package dev.botgate.backend.engine.remote;

import dev.botgate.backend.engine.Generation;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One streaming request to one server. A virtual thread sends it and reads the response line by line, handing each
 * token to the listener as it arrives (nothing is buffered). Until the first event the attempt can still fail quietly
 * (the engine then tries another server); after it, failures reach the listener as {@link GenerationEvent.Failed}.
 * Cancelling closes the response stream, which closes the connection, so the server stops generating.
 */
final class RemoteStream implements Generation {
    private static final int MAX_ERROR_BODY = 16 * 1024;

    /** Why an attempt failed before it streamed anything. */
    static final class AttemptFailure extends Exception {
        final RemoteOutcome.Kind kind;

        AttemptFailure(RemoteOutcome.Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    private final RemoteEngine engine;
    final RemoteServer server;
    private final String model;
    private final WireProtocol protocol;
    private final Consumer<GenerationEvent> listener;
    final long startNanos = System.nanoTime();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile CompletableFuture<HttpResponse<InputStream>> sending;
    private volatile InputStream body;
    private volatile AttemptFailure abort;
    private volatile boolean cancelled;
    volatile boolean streaming;
    volatile long lastActivityNanos = startNanos;
    // Written by the reader thread only.
    private long firstTokenNanos;
    private long lastTokenNanos;
    private int pieces;
    private int promptTokens = -1;
    private int completionTokens = -1;
    private String finishReason;
    private boolean ended;
    private String streamError;

    RemoteStream(RemoteEngine engine, RemoteServer server, String model, WireProtocol protocol,
                 Consumer<GenerationEvent> listener) {
        this.engine = engine;
        this.server = server;
        this.model = model;
        this.protocol = protocol;
        this.listener = listener;
    }

    void start(HttpClient http, HttpRequest request) {
        Thread.ofVirtual().name("botgate-remote-" + engine.name()).start(() -> run(http, request));
    }

    /** Waits until the first event was delivered; throws when the attempt failed before that. */
    void awaitStart() throws AttemptFailure {
        try {
            started.get();
        } catch (ExecutionException e) {
            throw (AttemptFailure) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(new AttemptFailure(RemoteOutcome.Kind.CANCELLED, "interrupted"));
            throw new AttemptFailure(RemoteOutcome.Kind.CANCELLED, "interrupted while waiting for the server");
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        closeQuietly();
    }

    /** Ends the attempt from outside (a timeout, shutdown): the reader thread wakes up and reports it. */
    void abort(AttemptFailure why) {
        abort = why;
        closeQuietly();
    }

    private void closeQuietly() {
        CompletableFuture<HttpResponse<InputStream>> s = sending;
        if (s != null) {
            s.cancel(true);
        }
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing is all we want
            }
        }
    }

    private void run(HttpClient http, HttpRequest request) {
        try {
            sending = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            if (abort != null || cancelled) {
                closeQuietly();
            }
            HttpResponse<InputStream> response = sending.get();
            body = response.body();
            if (abort != null || cancelled) {
                closeQuietly();
            }
            int status = response.statusCode();
            if (status != 200) {
                byte[] error = body.readNBytes(MAX_ERROR_BODY);
                throw new AttemptFailure(kindOf(status), "HTTP " + status + ": " + protocol.errorMessage(error));
            }
            server.streamed(System.nanoTime() - startNanos);
            read(body);
        } catch (AttemptFailure f) {
            fail(f);
        } catch (ExecutionException e) {
            fail(classify(e.getCause()));
        } catch (IOException | RuntimeException e) {
            fail(classify(e));
        } catch (InterruptedException e) {
            fail(new AttemptFailure(RemoteOutcome.Kind.CANCELLED, "interrupted"));
        } finally {
            InputStream in = body;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the response is done with either way
                }
            }
        }
    }

    private void read(InputStream in) throws IOException, AttemptFailure {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        WireProtocol.Sink sink = new WireProtocol.Sink() {
            @Override
            public void token(String text) {
                long now = System.nanoTime();
                if (pieces == 0) {
                    firstTokenNanos = now;
                }
                lastTokenNanos = now;
                pieces++;
                deliver(new GenerationEvent.Token(text));
            }

            @Override
            public void finishReason(String reason) {
                finishReason = reason;
            }

            @Override
            public void usage(int prompt, int completion) {
                promptTokens = prompt;
                completionTokens = completion;
            }

            @Override
            public void end() {
                ended = true;
            }

            @Override
            public void error(String message) {
                streamError = message;
            }
        };
        String line;
        while (!ended && streamError == null && (line = reader.readLine()) != null) {
            lastActivityNanos = System.nanoTime();
            try {
                protocol.line(line, sink);
            } catch (IllegalArgumentException e) {
                throw new AttemptFailure(RemoteOutcome.Kind.BROKEN, "unreadable stream: " + e.getMessage());
            }
        }
        if (streamError != null) {
            throw new AttemptFailure(RemoteOutcome.Kind.BROKEN, "the server reported: " + streamError);
        }
        if (cancelled || abort != null) {
            throw new IOException("closed");
        }
        if (!ended && finishReason == null) {
            throw new AttemptFailure(RemoteOutcome.Kind.BROKEN, "the stream ended before the answer was complete");
        }
        finish(RemoteOutcome.Kind.OK, "length".equals(finishReason) ? GenerationEvent.DoneReason.LENGTH
                : GenerationEvent.DoneReason.STOP);
    }

    private void deliver(GenerationEvent event) {
        if (!streaming) {
            streaming = true;
            started.complete(null);
        }
        listener.accept(event);
    }

    /** A normal end or a cancellation: the listener gets Done. */
    private void finish(RemoteOutcome.Kind kind, GenerationEvent.DoneReason reason) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long end = System.nanoTime();
        int completion = completionTokens >= 0 ? completionTokens : pieces;
        long generate = pieces > 0 ? lastTokenNanos - firstTokenNanos : 0;
        long ttft = pieces > 0 ? firstTokenNanos - startNanos : 0;
        engine.finished(this, new RemoteOutcome(engine.name(), model, server.base, kind, ttft, completion, generate), "");
        deliver(new GenerationEvent.Done(reason, new GenerationStats(Math.max(0, promptTokens), 0, completion, 0, 0,
                ttft, generate, end - startNanos)));
    }

    private void fail(AttemptFailure f) {
        if (cancelled) {
            finish(RemoteOutcome.Kind.CANCELLED, GenerationEvent.DoneReason.CANCELLED);
            return;
        }
        AttemptFailure why = abort != null ? abort : f;
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        engine.finished(this, new RemoteOutcome(engine.name(), model, server.base, why.kind,
                pieces > 0 ? firstTokenNanos - startNanos : 0, pieces, 0), why.getMessage());
        if (streaming) {
            listener.accept(new GenerationEvent.Failed("engine '" + engine.name() + "' (" + server.base + "): "
                    + why.getMessage()));
        } else {
            started.completeExceptionally(why);
        }
    }

    private AttemptFailure classify(Throwable e) {
        if (abort != null) {
            return abort;
        }
        if (e instanceof AttemptFailure f) {
            return f;
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new AttemptFailure(RemoteOutcome.Kind.CONNECT, "connect timed out");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof ConnectException || root instanceof UnresolvedAddressException) {
                break;
            }
            root = root.getCause();
        }
        if (root instanceof ConnectException || root instanceof UnresolvedAddressException
                || root instanceof java.net.UnknownHostException) {
            return new AttemptFailure(RemoteOutcome.Kind.CONNECT, "cannot connect ("
                    + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()) + ")");
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new AttemptFailure(RemoteOutcome.Kind.BROKEN, streaming ? "the stream broke off: " + message
                : "connection failed: " + message);
    }

    static RemoteOutcome.Kind kindOf(int status) {
        if (status == 429 || status == 503) {
            return RemoteOutcome.Kind.OVERLOADED;
        }
        if (status == 408 || status == 504) {
            return RemoteOutcome.Kind.TIMEOUT;
        }
        return status >= 500 ? RemoteOutcome.Kind.SERVER_ERROR : RemoteOutcome.Kind.REJECTED;
    }
}

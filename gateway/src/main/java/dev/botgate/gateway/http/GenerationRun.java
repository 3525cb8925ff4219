package dev.botgate.gateway.http;

import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.Generation;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.gateway.Metrics;
import io.helidon.common.socket.SocketWriterException;
import io.helidon.webserver.CloseConnectionException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One generation driven from a request thread: streams events to a writer and cancels the generation when the
 * client goes away (a failed write), so an abandoned request frees its slot at once.
 */
final class GenerationRun {
    /** Writes one event to the client; returns normally or throws when the client is gone. */
    interface Writer {
        void token(String text) throws IOException;

        void done(GenerationEvent.Done done) throws IOException;

        void failed(String message) throws IOException;

        /** Sends what was written so far. */
        void flush() throws IOException;
    }

    private GenerationRun() {
    }

    /**
     * Submits (which may throw the engine's refusals before anything is written, so they become real HTTP errors)
     * and pumps events until the terminal one.
     */
    static void run(Engine engine, Metrics metrics, String route, GenerationRequest request, Writer writer) {
        EventQueue events = new EventQueue();
        long start = System.nanoTime();
        Generation generation = engine.submit(request, events);
        boolean first = true;
        try {
            while (true) {
                GenerationEvent event = events.poll();
                if (event == null) {
                    // Nothing more is ready: send what was written, then wait. Tokens that arrive while the client
                    // is being written to go out together in one flush.
                    writer.flush();
                    event = events.take();
                }
                switch (event) {
                    case GenerationEvent.Token t -> {
                        if (first) {
                            metrics.observe("botgate_time_to_first_token_seconds", "route=\"" + route + "\"",
                                    (System.nanoTime() - start) / 1e9);
                            first = false;
                        }
                        writer.token(t.text());
                    }
                    case GenerationEvent.Done d -> {
                        metrics.inc("botgate_tokens_generated_total", "", d.stats().completionTokens());
                        if (d.stats().generateNanos() > 0 && d.stats().completionTokens() > 1) {
                            metrics.observe("botgate_decode_tokens_per_second", "",
                                    d.stats().completionTokens() / (d.stats().generateNanos() / 1e9));
                        }
                        writer.done(d);
                        writer.flush();
                        return;
                    }
                    case GenerationEvent.Failed f -> {
                        writer.failed(f.message());
                        writer.flush();
                        return;
                    }
                }
            }
        } catch (IOException | UncheckedIOException | SocketWriterException | CloseConnectionException e) {
            // Helidon reports a client that went away with its own unchecked exceptions, not IOException.
            generation.cancel();
            metrics.inc("botgate_client_disconnects_total", "route=\"" + route + "\"", 1);
        }
    }

}

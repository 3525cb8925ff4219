package dev.botgate.gateway.http;

import dev.botgate.backend.engine.GenerationEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Hands engine events (delivered on an engine thread) to the request's own thread, which does the blocking network
 * writes, so a slow client never stalls llama.cpp's decode loop.
 */
final class EventQueue implements Consumer<GenerationEvent> {
    private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void accept(GenerationEvent event) {
        events.add(event);
    }

    /** The next event if one is ready, else null. */
    GenerationEvent poll() {
        return events.poll();
    }

    GenerationEvent take() {
        try {
            return events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GenerationEvent.Failed("interrupted");
        }
    }
}

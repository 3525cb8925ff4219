package dev.botgate.backend.engine;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs generations on local models. Implementations are thread-safe: any thread may submit, events arrive on an
 * engine thread, and the listener must not block for long.
 */
public interface Engine extends AutoCloseable {

    /**
     * Queues a generation. Returns at once; the listener receives zero or more {@link GenerationEvent.Token}s and
     * then exactly one terminal event ({@link GenerationEvent.Done} or {@link GenerationEvent.Failed}).
     *
     * @throws ModelNotFoundException when the model is not in the store
     * @throws QueueFullException     when the request queue is full (answer 503 with Retry-After)
     * @throws EngineException        for any other refusal that happens before the generation starts
     */
    Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener);

    /** Models currently loaded, for {@code ps}. */
    List<LoadedModel> loaded();

    @Override
    void close();
}

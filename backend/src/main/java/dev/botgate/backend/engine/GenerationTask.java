package dev.botgate.backend.engine;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaOutput;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One admitted generation. Runs on a slot thread of its {@link ModelRunner}: drives llama.cpp's token iterator and
 * hands events to the listener, ending with exactly one terminal event whatever happens, and then reports itself finished (the engine frees
 * its admission permit). Any error fails this request only.
 *
 * <p>Why a generation ended is worked out here, since java-llama.cpp 4.2.0 streams only text and a stop flag: stop
 * strings are matched by {@link StopMatcher}; a generation that used its whole token budget ended by LENGTH; one that
 * ended early ended on an end-of-generation token (STOP). llama.cpp streams one piece per token except that a token
 * ending inside a UTF-8 character is merged into the next piece, so counting pieces can fall short of the tokens
 * generated. The budget test therefore also accepts a generation whose last piece was not the empty piece of an
 * end-of-generation token.
 */
final class GenerationTask implements Runnable, Generation {
    private static final System.Logger LOG = System.getLogger(GenerationTask.class.getName());
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;

    private final ModelRunner runner;
    private final PromptBuilder.Prepared prompt;
    private final InferenceParameters params;
    private final List<String> stops;
    private final Consumer<GenerationEvent> listener;
    private final long submittedNanos;
    private final long loadNanos;
    private final Consumer<GenerationTask> onFinish;
    private final EngineCounters counters;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private volatile boolean cancelled;

    GenerationTask(ModelRunner runner, PromptBuilder.Prepared prompt, InferenceParameters params, List<String> stops,
                   Consumer<GenerationEvent> listener, long submittedNanos, long loadNanos, Consumer<GenerationTask> onFinish,
                   EngineCounters counters) {
        this.runner = runner;
        this.prompt = prompt;
        this.params = params;
        this.stops = stops;
        this.listener = listener;
        this.submittedNanos = submittedNanos;
        this.loadNanos = loadNanos;
        this.onFinish = onFinish;
        this.counters = counters;
    }

    @Override
    public void cancel() {
        cancelled = true;
        // Not started yet: take it out of the queue now so it frees its place at once.
        if (state.compareAndSet(QUEUED, FINISHED)) {
            runner.workers.remove(this); // a slot thread that took it anyway finds it FINISHED and skips it
            runner.queued.decrementAndGet();
            counters.cancelled.increment();
            try {
                deliver(new GenerationEvent.Done(GenerationEvent.DoneReason.CANCELLED, stats(0, 0, 0, 0)));
            } finally {
                onFinish.accept(this);
            }
        }
    }

    ModelRunner runner() {
        return runner;
    }

    @Override
    public void run() {
        if (!state.compareAndSet(QUEUED, RUNNING)) {
            return; // cancelled while queued; already reported
        }
        runner.queued.decrementAndGet();
        runner.busy.incrementAndGet();
        runner.touch();
        GenerationEvent terminal;
        try {
            terminal = generate();
        } finally {
            runner.busy.decrementAndGet();
            runner.touch();
            state.set(FINISHED);
            onFinish.accept(this);
        }
        // After the slot and the admission permit are free, so a client that submits on Done finds room.
        deliver(terminal);
    }

    /** Streams the tokens; returns the terminal event, not yet delivered. */
    private GenerationEvent generate() {
        long start = System.nanoTime();
        long firstAt = 0;
        int pieces = 0;
        boolean lastPieceEmpty = false;
        StopMatcher matcher = new StopMatcher(stops);
        GenerationEvent.DoneReason reason = null;
        try {
            if (cancelled) {
                reason = GenerationEvent.DoneReason.CANCELLED;
            } else {
                LlamaIterator it = runner.model.generate(params).iterator();
                while (it.hasNext()) {
                    if (cancelled) {
                        // Cancel from this thread, between reads: cancelling while another thread waits in
                        // receiveCompletion could leave that wait without an answer.
                        it.cancel();
                        reason = GenerationEvent.DoneReason.CANCELLED;
                        break;
                    }
                    LlamaOutput out = it.next();
                    boolean last = !it.hasNext();
                    if (!last) {
                        pieces++;
                        lastPieceEmpty = out.text.isEmpty();
                        if (firstAt == 0) {
                            firstAt = System.nanoTime();
                        }
                    }
                    String text = matcher.feed(out.text);
                    if (!text.isEmpty() && !deliver(new GenerationEvent.Token(text))) {
                        it.cancel();
                        reason = GenerationEvent.DoneReason.CANCELLED;
                        break;
                    }
                    if (matcher.matched()) {
                        if (!last) {
                            it.cancel();
                        }
                        reason = GenerationEvent.DoneReason.STOP;
                        break;
                    }
                }
                if (reason == null) {
                    String rest = matcher.flush();
                    if (!rest.isEmpty()) {
                        deliver(new GenerationEvent.Token(rest));
                    }
                    // No pieces at all: every token ended inside a character, so no end-of-generation piece came either.
                    boolean budgetUsed = pieces >= prompt.nPredict() || !lastPieceEmpty;
                    reason = budgetUsed ? GenerationEvent.DoneReason.LENGTH : GenerationEvent.DoneReason.STOP;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "generation on " + runner.name + " failed", e);
            counters.failed.increment();
            counters.finished(prompt.promptTokens(), pieces, 0, 0);
            return new GenerationEvent.Failed("generation failed: " + e.getMessage());
        }
        long end = System.nanoTime();
        int tokens = reason == GenerationEvent.DoneReason.LENGTH && prompt.limited() ? prompt.nPredict() : pieces;
        long promptNanos = firstAt == 0 ? end - start : firstAt - start;
        long generateNanos = firstAt == 0 ? 0 : end - firstAt;
        if (reason == GenerationEvent.DoneReason.CANCELLED) {
            counters.cancelled.increment();
        }
        counters.finished(prompt.promptTokens(), tokens, firstAt == 0 ? 0 : promptNanos, generateNanos);
        return new GenerationEvent.Done(reason, stats(tokens, promptNanos, generateNanos, end));
    }

    private GenerationStats stats(int tokens, long promptNanos, long generateNanos, long end) {
        long total = (end == 0 ? System.nanoTime() : end) - submittedNanos;
        // java-llama.cpp 4.2.0 does not report how much of the prompt came from the slot's cache: 0, not a guess.
        return new GenerationStats(prompt.promptTokens(), 0, tokens, prompt.droppedTurns(), loadNanos, promptNanos,
                generateNanos, total);
    }

    /** Hands an event to the listener; false when the listener threw (treated as a client gone away). */
    private boolean deliver(GenerationEvent event) {
        try {
            listener.accept(event);
            return true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "listener refused an event; cancelling the generation", e);
            cancelled = true;
            return false;
        }
    }
}

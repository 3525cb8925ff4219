package dev.botgate.gateway.pipeline;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks one at a time per conversation, in submission order, and different conversations in parallel (on
 * virtual threads: a task mostly waits on the engine or the network). Parallel model work is bounded by the engine's
 * own slots and queue, not here.
 */
public final class ConversationWorkers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConversationWorkers.class.getName());
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final ExecutorService executor;

    /** Unbounded: each task on its own virtual thread. */
    public ConversationWorkers() {
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
    }

    /**
     * At most {@code threads} answers in progress at once, on platform threads from {@code factory}. Answers then take
     * a bounded share of the cores, and the virtual threads that acknowledge platform callbacks are never queued
     * behind answer work (the gateway's factory also lowers the threads' OS priority: {@code BackgroundThreads}).
     */
    public ConversationWorkers(int threads, java.util.concurrent.ThreadFactory factory) {
        this.executor = Executors.newFixedThreadPool(threads, factory);
    }

    /** Queues a task behind the conversation's earlier ones; the future completes when this task has run. */
    public CompletableFuture<Void> submit(String conversation, Runnable task) {
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(conversation, (k, tail) -> {
            CompletableFuture<Void> before = tail == null ? CompletableFuture.completedFuture(null) : tail;
            mine[0] = before.handle((r, e) -> null).thenRunAsync(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "conversation task failed", e);
                }
            }, executor);
            return mine[0];
        });
        mine[0].whenComplete((r, e) -> tails.remove(conversation, mine[0]));
        return mine[0];
    }

    /** Conversations with work queued or running. */
    public int active() {
        return tails.size();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

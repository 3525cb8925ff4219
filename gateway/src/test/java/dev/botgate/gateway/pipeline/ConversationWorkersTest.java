package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.Test;

public class ConversationWorkersTest {
    @Test
    public void oneConversationRunsInOrderOthersInParallel() throws Exception {
        try (ConversationWorkers workers = new ConversationWorkers()) {
            List<Integer> order = new CopyOnWriteArrayList<>();
            CountDownLatch gate = new CountDownLatch(1);
            CompletableFuture<Void> first = workers.submit("a", () -> {
                await(gate);
                order.add(1);
            });
            CompletableFuture<Void> second = workers.submit("a", () -> order.add(2));
            CompletableFuture<Void> other = workers.submit("b", () -> order.add(99));
            other.get(5, TimeUnit.SECONDS);
            assertEquals(order, List.of(99), "another conversation is not blocked by a slow one");
            gate.countDown();
            CompletableFuture.allOf(first, second).get(5, TimeUnit.SECONDS);
            assertEquals(order, List.of(99, 1, 2), "messages of one conversation are answered in arrival order");
        }
    }

    @Test
    public void aFailingTaskDoesNotBlockTheConversation() throws Exception {
        try (ConversationWorkers workers = new ConversationWorkers()) {
            workers.submit("a", () -> {
                throw new IllegalStateException("boom");
            });
            CompletableFuture<Void> next = workers.submit("a", () -> { });
            next.get(5, TimeUnit.SECONDS);
            assertTrue(next.isDone());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

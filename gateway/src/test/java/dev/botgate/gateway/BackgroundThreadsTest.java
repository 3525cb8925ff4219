package dev.botgate.gateway;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.testng.SkipException;
import org.testng.annotations.Test;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

public class BackgroundThreadsTest {
    @Test
    public void backgroundThreadsRunAtALowerPriorityAndOthersKeepTheirs() throws Exception {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new SkipException("per-thread priority is Linux only");
        }
        OptionalInt mine = BackgroundThreads.currentNice();
        assertTrue(mine.isPresent(), "the test thread's nice value is readable from /proc");
        CompletableFuture<OptionalInt> background = new CompletableFuture<>();
        CompletableFuture<String> name = new CompletableFuture<>();
        Thread t = BackgroundThreads.factory("bg-test-").newThread(() -> {
            name.complete(Thread.currentThread().getName());
            background.complete(BackgroundThreads.currentNice());
        });
        assertTrue(t.isDaemon(), "background threads never keep the JVM alive");
        t.start();
        assertEquals(name.get(), "bg-test-0");
        assertEquals(background.get().orElseThrow(), Math.max(mine.getAsInt(), BackgroundThreads.NICE),
                "a background thread runs at nice " + BackgroundThreads.NICE);
        assertEquals(BackgroundThreads.currentNice(), mine, "the creating thread keeps its own priority");
    }
}

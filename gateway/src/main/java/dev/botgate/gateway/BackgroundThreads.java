package dev.botgate.gateway;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for work that may wait — answering, retrieval, document imports — run at a lower OS priority (nice
 * {@value #NICE}) than the threads that acknowledge platform callbacks. A platform retries, and then disables, a
 * callback URL that does not answer within its deadline (WeCom 5 s, Slack 3 s); an answer that starts a few
 * milliseconds later harms nobody. On a small machine the answer work alone can want every core (a query embedding is
 * ~2 ms of CPU), and at equal priority the scheduler shares the cores evenly, so acknowledgements queued behind it for
 * seconds (bench/RESULTS.md, WeCom load). At nice 10 a busy background thread gets about a tenth of the share of a
 * normal one when both want the core, and everything when the core is free: no throughput is lost on an idle machine.
 *
 * <p>Linux only: there {@code setpriority(PRIO_PROCESS, 0, n)} changes the calling thread alone (per-thread nice,
 * allowed to any user when lowering). Elsewhere the same call would change the whole process, so the threads keep the
 * normal priority. The model's own decoding is not lowered: it is what API users wait for.
 */
public final class BackgroundThreads {
    /** The nice value of background threads (0 is normal, 19 the lowest). */
    public static final int NICE = 10;
    private static final System.Logger LOG = System.getLogger(BackgroundThreads.class.getName());
    private static final int PRIO_PROCESS = 0;
    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    private BackgroundThreads() {
    }

    /** The C library call; JNA maps it on first use. */
    private interface LibC extends Library {
        int setpriority(int which, int who, int prio) throws LastErrorException;
    }

    private static final class Holder {
        // Fully qualified: this package has its own Native (native-library locations).
        static final LibC LIBC = com.sun.jna.Native.load("c", LibC.class);
    }

    /** Platform daemon threads named {@code prefix0, prefix1, …} that lower their own priority when they start. */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> Thread.ofPlatform().name(prefix + n.getAndIncrement()).daemon(true).unstarted(() -> {
            lowerCurrentThread();
            task.run();
        });
    }

    /**
     * Lowers the calling thread's priority to nice {@value #NICE} (or leaves it lower); returns whether it did. The first outcome is logged
     * once, a failure as a warning with its reason (the gateway still works, with acknowledgements competing evenly).
     */
    public static boolean lowerCurrentThread() {
        if (!LINUX) {
            report(Level.INFO, "background threads keep the normal priority (per-thread priority needs Linux)");
            return false;
        }
        // Only ever lower: a gateway started under nice already keeps at least that.
        int target = Math.max(NICE, currentNice().orElse(0));
        try {
            Holder.LIBC.setpriority(PRIO_PROCESS, 0, target);
            report(Level.INFO, "background work (answers, retrieval, imports) runs at nice " + NICE);
            return true;
        } catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            report(Level.WARNING, "cannot lower the priority of background threads (" + e.getMessage() + "); "
                    + "callback acknowledgements will compete with answer work for the cores");
            return false;
        }
    }

    /** The calling thread's nice value, read from {@code /proc}; empty where that is not available. */
    public static OptionalInt currentNice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            // Fields after the command name (in parentheses, may hold spaces): state is field 3, nice field 19.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalInt.of(Integer.parseInt(fields[16]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static void report(Level level, String message) {
        if (REPORTED.compareAndSet(false, true)) {
            LOG.log(level, message);
        }
    }
}

package dev.botgate.gateway.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar with size, speed and ETA, redrawn in place (like {@code ollama pull}). */
final class ProgressBar {
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    void update(String label, long completed, long total) {
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && completed < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double speed = completed / seconds;
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int pct = (int) Math.min(100, completed * 100 / total);
            int filled = pct / 5;
            line.append(String.format(Locale.ROOT, "%3d%% ▕%s%s▏ %s/%s", pct, "█".repeat(filled),
                    " ".repeat(20 - filled), bytes(completed), bytes(total)));
            long eta = speed > 0 ? (long) ((total - completed) / speed) : -1;
            line.append(String.format(Locale.ROOT, "  %s/s  %s", bytes((long) speed),
                    eta >= 0 ? eta / 60 + "m" + eta % 60 + "s" : "?"));
        } else {
            line.append(bytes(completed)).append(String.format(Locale.ROOT, "  %s/s", bytes((long) speed)));
        }
        out.print(line);
        out.flush();
    }

    void finish(String message) {
        out.print("\r\033[K");
        out.println(message);
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}

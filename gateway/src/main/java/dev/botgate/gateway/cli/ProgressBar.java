package dev.botgate.gateway.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place (like {@code ollama pull}): bytes with speed and ETA for downloads, or
 * counted items with a detail for imports.
 */
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

    /**
     * Redraws the line for counted work (files of an import), not bytes: {@code label  50% ▕██  ▏ 1/2 files  detail}.
     * The bar stops short of 100 % until {@code finished}: the last file read may still be being embedded.
     */
    void updateCount(String label, long completed, long total, String unit, String detail, boolean finished) {
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && !finished) {
            return;
        }
        lastDraw = now;
        out.print(countLine(label, completed, total, unit, detail, finished));
        out.flush();
    }

    static String countLine(String label, long completed, long total, String unit, String detail, boolean finished) {
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int pct = finished ? 100 : (int) Math.min(99, completed * 100 / total);
            int filled = pct / 5;
            line.append(String.format(Locale.ROOT, "%3d%% ▕%s%s▏ %d/%d %s", pct, "█".repeat(filled),
                    " ".repeat(20 - filled), completed, total, unit));
        } else {
            line.append(completed).append(' ').append(unit);
        }
        if (!detail.isEmpty()) {
            line.append("  ").append(detail);
        }
        return line.append("\033[K").toString();
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

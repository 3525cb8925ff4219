package dev.botgate.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Prometheus text-format metrics, kept small on purpose: counters, gauges read at scrape time, summaries
 * (count + sum) for latencies, and histograms where the tail matters (a platform callback's acknowledgement against
 * the platform's deadline). Series are named {@code botgate_*}; labels are written verbatim and must come from
 * our own vocabulary (channel, bot, route), never from user input.
 */
public final class Metrics {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> sums = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, String> help = new ConcurrentHashMap<>();
    private final Map<String, LongAdder[]> histograms = new ConcurrentHashMap<>();

    /** Adds to a counter, e.g. {@code inc("botgate_requests_total", "route=\"/api/chat\"", 1)}. */
    public void inc(String name, String labels, long delta) {
        counters.computeIfAbsent(series(name, labels), k -> new LongAdder()).add(delta);
    }

    /** Records one observation of a summary (seconds for latencies). */
    public void observe(String name, String labels, double value) {
        counters.computeIfAbsent(series(name + "_count", labels), k -> new LongAdder()).increment();
        sums.computeIfAbsent(series(name + "_sum", labels), k -> new DoubleAdder()).add(value);
    }

    /** Upper bounds (seconds) of the latency histograms' buckets; {@code +Inf} follows. */
    public static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10};

    /**
     * Records one observation of a histogram with {@link #LATENCY_BUCKETS}: {@code name_bucket{…,le="…"}} (cumulative,
     * as Prometheus expects; every bucket listed from the first observation), {@code name_count} and {@code name_sum}.
     * It sits on the acknowledgement path, so a series' bucket counters are looked up once and kept.
     */
    public void histogram(String name, String labels, double seconds) {
        LongAdder[] adders = histograms.computeIfAbsent(series(name, labels), k -> bucketCounters(name, labels));
        for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
            if (seconds <= LATENCY_BUCKETS[i]) {
                adders[i].increment();
            }
        }
        adders[LATENCY_BUCKETS.length].increment();
        observe(name, labels, seconds);
    }

    /** The counters of a histogram's buckets, {@code +Inf} last, registered as counter series. */
    private LongAdder[] bucketCounters(String name, String labels) {
        String prefix = labels.isEmpty() ? "" : labels + ",";
        LongAdder[] adders = new LongAdder[LATENCY_BUCKETS.length + 1];
        for (int i = 0; i <= LATENCY_BUCKETS.length; i++) {
            String le = i < LATENCY_BUCKETS.length ? bucketLabel(LATENCY_BUCKETS[i]) : "+Inf";
            adders[i] = counters.computeIfAbsent(series(name + "_bucket", prefix + "le=\"" + le + "\""),
                    k -> new LongAdder());
        }
        return adders;
    }

    /** How a bucket's bound is written in its {@code le} label: {@code 0.05}, {@code 1}, {@code 2.5}. */
    public static String bucketLabel(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    /** A value read at scrape time. */
    public void gauge(String name, String labels, DoubleSupplier value) {
        gauges.put(series(name, labels), value);
    }

    /** Help text for a metric family. */
    public void describe(String name, String text) {
        help.put(name, text);
    }

    /** Current value of a counter series, for tests and the console. */
    public long counter(String name, String labels) {
        LongAdder a = counters.get(series(name, labels));
        return a == null ? 0 : a.sum();
    }

    /** The exposition text. */
    public String scrape() {
        Map<String, String> lines = new TreeMap<>();
        counters.forEach((k, v) -> lines.put(k, Long.toString(v.sum())));
        sums.forEach((k, v) -> lines.put(k, Double.toString(v.sum())));
        gauges.forEach((k, v) -> lines.put(k, Double.toString(v.getAsDouble())));
        StringBuilder out = new StringBuilder();
        String lastFamily = "";
        for (Map.Entry<String, String> e : lines.entrySet()) {
            String family = e.getKey().replaceAll("\\{.*", "").replaceAll("_(count|sum|bucket)$", "");
            if (!family.equals(lastFamily)) {
                String h = help.get(family);
                if (h != null) {
                    out.append("# HELP ").append(family).append(' ').append(h).append('\n');
                }
                lastFamily = family;
            }
            out.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
        }
        return out.toString();
    }

    private static String series(String name, String labels) {
        return labels.isEmpty() ? name : name + "{" + labels + "}";
    }
}

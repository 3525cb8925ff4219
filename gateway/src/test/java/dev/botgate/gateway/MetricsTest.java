package dev.botgate.gateway;

import org.testng.annotations.Test;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

public class MetricsTest {
    @Test
    public void histogramBucketsAreCumulativeWithCountAndSum() {
        Metrics m = new Metrics();
        m.describe("x_seconds", "test latency");
        m.histogram("x_seconds", "channel=\"wecom\"", 0.003);
        m.histogram("x_seconds", "channel=\"wecom\"", 0.2);
        m.histogram("x_seconds", "channel=\"wecom\"", 60);
        assertEquals(m.counter("x_seconds_bucket", "channel=\"wecom\",le=\"0.001\""), 0);
        assertEquals(m.counter("x_seconds_bucket", "channel=\"wecom\",le=\"0.005\""), 1, "0.003 s falls in le=0.005");
        assertEquals(m.counter("x_seconds_bucket", "channel=\"wecom\",le=\"0.25\""), 2, "buckets are cumulative");
        assertEquals(m.counter("x_seconds_bucket", "channel=\"wecom\",le=\"10\""), 2, "60 s is over every bound");
        assertEquals(m.counter("x_seconds_bucket", "channel=\"wecom\",le=\"+Inf\""), 3, "+Inf holds every one");
        assertEquals(m.counter("x_seconds_count", "channel=\"wecom\""), 3);
        String text = m.scrape();
        assertTrue(text.contains("x_seconds_sum{channel=\"wecom\"} 60.203"), text);
        assertEquals(text.split("# HELP x_seconds ", -1).length, 2, "one HELP line for the family: " + text);
    }

    @Test
    public void bucketLabelsAreWrittenAsPrometheusClientsWriteThem() {
        assertEquals(Metrics.bucketLabel(0.05), "0.05");
        assertEquals(Metrics.bucketLabel(1), "1");
        assertEquals(Metrics.bucketLabel(2.5), "2.5");
    }
}

package dev.botgate.gateway;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.testng.annotations.Test;

/** Issue 9: one logging setup for every library, one line per event. */
public class LoggingTest {

    @Test
    public void anEventIsOneLine() {
        Logging.OneLine format = new Logging.OneLine();
        LogRecord r = new LogRecord(Level.WARNING, "first\nsecond\r\nthird");
        r.setLoggerName("io.helidon.webserver.LoomServer");
        r.setThrown(new java.io.UncheckedIOException(new java.io.IOException("Connection reset")));
        String line = format.format(r);
        assertEquals(line.lines().count(), 1L, line);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  LoomServer: first \\| second \\| "
                + "third: java.io.UncheckedIOException: java.io.IOException: Connection reset\\R"), line);
    }

    @Test
    public void onlyErrorsCarryTheirStackTrace() {
        LogRecord r = new LogRecord(Level.SEVERE, "unexpected error on GET /x");
        r.setLoggerName("dev.botgate.gateway.http.HttpErrors");
        r.setThrown(new IllegalStateException("bug"));
        String text = new Logging.OneLine().format(r);
        assertTrue(text.startsWith(text.substring(0, 24) + "ERROR HttpErrors: unexpected error on GET /x"), text);
        assertTrue(text.contains("at dev.botgate.gateway.LoggingTest"), "a bug keeps its trace: " + text);
    }

    @Test
    public void slf4jAndLog4jApiLogThroughJul() {
        assertFalse(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName().contains("NOP"),
                "an SLF4J provider is bound (no 'No SLF4J providers were found' at start)");
        List<LogRecord> seen = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger slf = Logger.getLogger("botgate.test.slf4j");
        Logger l4j = Logger.getLogger("botgate.test.log4j");
        slf.addHandler(h);
        l4j.addHandler(h);
        try {
            org.slf4j.LoggerFactory.getLogger("botgate.test.slf4j").warn("from slf4j");
            org.apache.logging.log4j.LogManager.getLogger("botgate.test.log4j").warn("from log4j");
        } finally {
            slf.removeHandler(h);
            l4j.removeHandler(h);
        }
        assertTrue(seen.stream().anyMatch(r -> r.getMessage().equals("from slf4j")), "SLF4J reaches JUL");
        assertTrue(seen.stream().anyMatch(r -> r.getMessage().equals("from log4j")), "Log4j API reaches JUL");
    }
}

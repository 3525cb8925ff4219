package dev.botgate.gateway;

import io.helidon.logging.common.spi.LoggingProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The process's one logging setup: every library logs through {@code java.util.logging} (System.Logger and Helidon
 * directly, SLF4J through slf4j-jdk14, Log4j API and commons-logging through log4j-to-slf4j), one line per event on
 * stderr, Botgate at INFO and libraries at WARNING. {@code BOTGATE_DEBUG=1} shows Botgate's DEBUG lines and the
 * libraries' INFO. A JUL configuration given with {@code -Djava.util.logging.config.file} is left alone.
 *
 * <p>{@link Main} calls {@link #configure} before anything logs; Helidon finds this class as its logging provider
 * (META-INF/services), which also keeps it from printing that it has none.
 */
public final class Logging implements LoggingProvider {
    private static final AtomicBoolean CONFIGURED = new AtomicBoolean();
    // JUL holds loggers weakly: a level set on a logger nobody references is lost at the next GC.
    private static final Logger BOTGATE = Logger.getLogger("dev.botgate");
    // DJL probes for CUDA when the tokenizer loads and warns twice on every machine without a GPU driver.
    private static final Logger DJL_CUDA = Logger.getLogger("ai.djl.util.cuda.CudaUtils");

    /** For Helidon's service loader. */
    public Logging() {
    }

    /** Sets up logging once; later calls do nothing. */
    public static void configure(Map<String, String> env) {
        if (!CONFIGURED.compareAndSet(false, true)
                || System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        boolean debug = !env.getOrDefault("BOTGATE_DEBUG", "").isBlank()
                && !env.get("BOTGATE_DEBUG").equals("0") && !env.get("BOTGATE_DEBUG").equalsIgnoreCase("false");
        LogManager.getLogManager().reset();
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.ALL);
        console.setFormatter(new OneLine());
        Logger root = Logger.getLogger("");
        root.addHandler(console);
        root.setLevel(debug ? Level.INFO : Level.WARNING);
        BOTGATE.setLevel(debug ? Level.FINE : Level.INFO);
        DJL_CUDA.setLevel(debug ? Level.INFO : Level.SEVERE);
    }

    @Override
    public void initialization() {
        configure(System.getenv());
    }

    @Override
    public void runTime() {
    }

    /**
     * {@code 2026-12-07 23:54:24.512 INFO  Botgate: message}. Line breaks inside a message are folded so that one
     * event stays one line; only errors (a bug or a failed start) carry their stack trace.
     */
    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            StringBuilder line = new StringBuilder(128)
                    .append(TIME.format(r.getInstant())).append(' ')
                    .append(String.format("%-5s", level(r.getLevel()))).append(' ')
                    .append(shortName(r.getLoggerName())).append(": ")
                    .append(fold(formatMessage(r)));
            Throwable t = r.getThrown();
            if (t != null && r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
            } else if (t != null) {
                line.append(": ").append(fold(String.valueOf(t)));
            }
            return line.append(System.lineSeparator()).toString();
        }

        private static String level(Level level) {
            int v = level.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (v >= Level.INFO.intValue()) {
                return "INFO";
            }
            return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }

        private static String shortName(String logger) {
            if (logger == null || logger.isEmpty()) {
                return "root";
            }
            return logger.substring(logger.lastIndexOf('.') + 1);
        }

        private static String fold(String s) {
            return s == null ? "" : s.strip().replace("\r\n", "\n").replace('\r', '\n').replace("\n", " | ");
        }
    }
}

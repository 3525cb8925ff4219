package dev.botgate.gateway.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import dev.botgate.gateway.ConfigException;
import dev.botgate.gateway.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testng.annotations.Test;

/** Issue 9: a second {@code serve} on a taken port exits at once with one clear line, instead of running on port -1. */
public class ServePortTest {

    @Test
    public void serveOnATakenPortExitsNonZeroWithOneLine() throws Exception {
        Path home = Files.createTempDirectory("botgate-port");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            PrintStream oldOut = System.out;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status;
            long t0 = System.nanoTime();
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                status = BotgateCommand.run(new String[]{"serve", "--port", Integer.toString(port)},
                        Map.of("BOTGATE_HOME", home.toString()));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
            String e = err.toString(StandardCharsets.UTF_8).strip();
            assertEquals(status, 1, "non-zero exit; stderr: " + e);
            assertEquals(e, "Error: port " + port + " is in use: another Botgate or program listens there; "
                    + "use --port N");
            assertFalse(out.toString(StandardCharsets.UTF_8).contains("listening"), "never claims to listen");
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "refused before loading anything");
        }
    }

    @Test
    public void startingTheServerOnATakenPortFails() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            ConfigException e = expectThrows(ConfigException.class, () -> TestGateway.start("""
                    server:
                      port: %d
                    """.formatted(port), Map.of()));
            assertTrue(e.getMessage().contains("port " + port + " is in use"), e.getMessage());
        }
    }
}

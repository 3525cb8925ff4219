package dev.botgate.gateway.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The CLI as a user runs it: against a running server, and on the data directory when none runs. */
public class CliTest {
    private TestGateway gw;

    /** What one command printed and returned. */
    /** What a CLI run printed and returned. */
    public record Run(int status, String out, String err) {
    }

    @BeforeClass
    public void start() throws Exception {
        gw = TestGateway.start("", Map.of());
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** Runs the CLI in this JVM, capturing its output (shared by the tests that drive the CLI). */
    public static synchronized Run run(Map<String, String> env, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = BotgateCommand.run(args, env);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Map<String, String> server() {
        return Map.of("BOTGATE_HOST", "127.0.0.1:" + gw.botgate().port(), "BOTGATE_HOME", gw.home().toString());
    }

    @Test
    public void listShowAndPsThroughTheServer() throws Exception {
        // The CLI gets a data directory of its own, empty: a model it lists can only have come from the server.
        Path empty = Files.createTempDirectory("cli-elsewhere");
        Map<String, String> env = Map.of("BOTGATE_HOST", "127.0.0.1:" + gw.botgate().port(),
                "BOTGATE_HOME", empty.toString());
        Run list = run(env, "list");
        assertEquals(list.status(), 0, list.err());
        assertTrue(list.out().startsWith("NAME"), list.out());
        assertTrue(list.out().contains("tiny:latest"), "the server's model, not in the CLI's home: " + list.out());
        Run show = run(env, "show", "tiny", "--modelfile");
        assertEquals(show.status(), 0, show.err());
        assertTrue(show.out().contains("FROM "), show.out());
        Run info = run(env, "show", "tiny");
        assertTrue(info.out().contains("architecture") && info.out().contains("llama"), info.out());
        assertEquals(run(env, "run", "tiny", "hi").status(), 0, "loads the model in the server");
        Run ps = run(env, "ps");
        assertEquals(ps.status(), 0, ps.err());
        assertTrue(ps.out().contains("tiny:latest"), "only the server knows what it has loaded: " + ps.out());
        assertTrue(run(env, "version").out().contains("server at"), "version reports the server's too");
        assertTrue(dev.botgate.backend.store.ModelStore.builder(empty.resolve("models")).build().list().isEmpty(),
                "the CLI's own data directory still has no model: everything above came from the server");
    }

    @Test
    public void kbImportShowsFilesAndChunksNotBytes() throws Exception {
        assertEquals(run(server(), "kb", "create", "progress").status(), 0);
        Path csv = Files.createTempDirectory("cli-kb").resolve("faq.csv");
        Files.writeString(csv, "question,answer\n发票怎么开？,在订单页点击申请发票。\n运费多少？,满99元包邮。\n",
                StandardCharsets.UTF_8);
        Run r = run(server(), "kb", "import", "progress", csv.toString());
        assertEquals(r.status(), 0, r.err());
        assertTrue(r.err().contains("1/1 files"), "progress counts files: " + r.err());
        assertTrue(r.err().contains("chunks"), "and chunks: " + r.err());
        assertFalse(r.err().contains(" B/") || r.err().contains("B/s"), "no byte sizes for an import: " + r.err());
        assertTrue(r.err().contains("done: 1 files, 1 added"), r.err());
    }

    @Test
    public void runAnswersOnceThroughTheServer() {
        Run r = run(server(), "run", "tiny", "hello");
        assertEquals(r.status(), 0, r.err());
        assertFalse(r.out().isBlank(), "the model's answer is printed");
    }

    @Test
    public void errorsAreMessagesNotStackTraces() {
        Run rm = run(server(), "rm", "ghost:1b");
        assertEquals(rm.status(), 1);
        assertTrue(rm.err().startsWith("Error: model 'ghost:1b' not found"), rm.err());
        assertFalse(rm.err().contains("\tat "), "no stack trace");
        Run chat = run(Map.of("BOTGATE_HOST", "127.0.0.1:1"), "chat", "demo", "hi");
        assertEquals(chat.status(), 1);
        assertTrue(chat.err().contains("botgate serve"), chat.err());
        Run usage = run(server(), "pull");
        assertEquals(usage.status(), 2, "a missing argument is a usage error");
        assertTrue(usage.err().contains("MODEL"), usage.err());
        Run kb = run(server(), "kb", "search", "missing", "x");
        assertEquals(kb.status(), 1);
        assertTrue(kb.err().contains("botgate kb create missing"), kb.err());
    }

    @Test
    public void withoutAServerModelsAreManagedOnTheDataDirectory() throws Exception {
        Path home = Files.createTempDirectory("cli-local");
        Map<String, String> env = Map.of("BOTGATE_HOST", "127.0.0.1:1", "BOTGATE_HOME", home.toString());
        Path gguf = TinyGguf.builder().write(home.resolve("small.gguf"));
        Run pull = run(env, "pull", gguf.toString());
        assertEquals(pull.status(), 0, pull.err());
        assertTrue(pull.err().contains("success"), pull.err());
        Path modelfile = home.resolve("Modelfile");
        Files.writeString(modelfile, "FROM small:latest\nSYSTEM \"\"\"你是客服助手。\"\"\"\nPARAMETER temperature 0.2\n");
        Run create = run(env, "create", "helper", "-f", modelfile.toString());
        assertEquals(create.status(), 0, create.err());
        Run list = run(env, "list");
        assertTrue(list.out().contains("small:latest") && list.out().contains("helper:latest"), list.out());
        Run mf = run(env, "show", "helper", "--modelfile");
        assertTrue(mf.out().contains("你是客服助手。") && mf.out().contains("temperature 0.2"), mf.out());
        Run bad = run(env, "create", "x", "-f", home.resolve("missing").toString());
        assertEquals(bad.status(), 1);
        assertEquals(run(env, "rm", "helper").status(), 0);
        assertFalse(run(env, "list").out().contains("helper"), "removed");
    }
}

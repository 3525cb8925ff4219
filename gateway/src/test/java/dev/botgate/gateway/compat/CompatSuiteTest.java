package dev.botgate.gateway.compat;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.fail;

import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.TinyGguf;
import dev.botgate.gateway.TestGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testng.SkipException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The compatibility suite: the official npm clients (openai, ollama, LangChain JS, the Vercel AI SDK; pinned in
 * {@code compat/package-lock.json}) run by node's test runner against one real Botgate serving a tiny GGUF with
 * Qwen2.5's template. {@code ./run-tests} installs them ({@code npm ci}) and sets {@code -Dcompat.required=true};
 * without {@code compat/node_modules} and that flag the suite is skipped with the command that enables it.
 */
public class CompatSuiteTest {
    static final String MODEL = "qwen-tools:latest";
    private TestGateway gw;
    private Path compat;

    /** A Botgate serving the tool-calling tiny model, shared by every client. */
    static TestGateway startServer() throws IOException {
        Path home = Files.createTempDirectory("botgate-compat");
        Path gguf = TinyGguf.builder().chatTemplate(TinyGguf.QWEN25_TEMPLATE).write(home.resolve("qwen-tools.gguf"));
        ModelStore.builder(home.resolve("models")).build().pull(gguf.toString(), "qwen-tools", p -> { });
        return TestGateway.startIn(home, """
                engine:
                  threads: 1
                  context-size: 2048
                  parallel-slots: 2
                  queue-capacity: 8
                  max-loaded-models: 2
                  num-predict: 256
                """, Map.of());
    }

    @BeforeClass
    public void start() throws IOException {
        compat = Path.of("..", "compat").toAbsolutePath().normalize();
        gw = startServer();
    }

    /** The server the LangChain4j tests (in this package) share with the npm clients. */
    TestGateway server() {
        return gw;
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    public void officialClientsPassAgainstBotgate() throws Exception {
        if (!Files.isDirectory(compat.resolve("node_modules"))) {
            String how = "compat/node_modules is missing: run `npm ci --prefix compat` (./run-tests does)";
            if (Boolean.getBoolean("compat.required")) {
                fail(how);
            }
            throw new SkipException(how);
        }
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1",
                "--test-reporter=spec"));
        try (Stream<Path> files = Files.list(compat.resolve("test"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".test.mjs")).sorted()
                    .forEach(f -> command.add("test/" + f.getFileName()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(compat.toFile()).redirectErrorStream(true);
        pb.environment().put("BOTGATE_URL", "http://127.0.0.1:" + gw.botgate().port());
        pb.environment().put("BOTGATE_MODEL", MODEL);
        Path log = Files.createTempFile("compat", ".log");
        pb.redirectOutput(log.toFile());
        Process node;
        try {
            node = pb.start();
        } catch (IOException e) {
            throw new AssertionError("node is not installed: the compatibility suite needs Node.js 20+ and npm "
                    + "(.ci/run installs them)", e);
        }
        if (!node.waitFor(8, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the client suite did not finish in 8 minutes:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        // The per-client results go to the build log: they are the README's client × feature table.
        System.out.println(output);
        assertEquals(node.exitValue(), 0, "client tests failed:\n" + output);
    }

    @Test
    public void langChain4jOpenAiForcedToolCall() throws Exception {
        LangChain4jClients.openAiForcedToolCall(gw);
    }

    @Test
    public void langChain4jOpenAiForcedToolCallStreamed() throws Exception {
        LangChain4jClients.openAiForcedToolCallStreamed(gw);
    }

    @Test
    public void langChain4jOpenAiToolResultRoundTrip() {
        LangChain4jClients.openAiToolResultRoundTrip(gw);
    }

    @Test
    public void langChain4jOllamaChatAndToolResultRoundTrip() {
        LangChain4jClients.ollamaChatAndToolResultRoundTrip(gw);
    }

    @Test
    public void langChain4jOllamaForcedToolChoice() {
        LangChain4jClients.ollamaForcedToolChoice(gw);
    }

    @Test
    public void langChain4jEmbeddings() {
        LangChain4jClients.embeddings(gw);
    }
}

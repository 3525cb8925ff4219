package dev.botgate.backend.store;

import dev.botgate.backend.store.ModelRefusedException.Reason;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

/**
 * Issue 9, "a file kills the process": hostile GGUF files are refused with a reason, by the header checks or by the
 * trial load in a child JVM, and never reach llama.cpp in this process.
 */
public class HostileGgufTest {
    private Path dir;
    private Path root;

    @BeforeClass
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("hostile");
        root = dir.resolve("store");
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        Testing.deleteTree(dir);
    }

    @DataProvider
    public Object[][] hostile() {
        return HostileGgufs.refusedByTheHeaderChecks().stream().map(c -> new Object[]{c}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "hostile")
    public void theHeaderChecksRefuse(HostileGgufs.Case c) throws IOException {
        Path file = c.file().write(dir.resolve(c.name() + ".gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(file));
        assertEquals(e.reason(), Reason.INVALID, e.getMessage());
        assertTrue(e.getMessage().contains(c.reason()), "the reason: " + e.getMessage());
    }

    @Test(dataProvider = "hostile")
    public void pullAndCreateRefuseWithoutStoringAnything(HostileGgufs.Case c) throws IOException {
        Path file = c.file().write(dir.resolve(c.name() + "-store.gguf"));
        ModelStore store = ModelStore.builder(root).catalogue(Catalogue.empty()).build();
        PullException pull = expectThrows(PullException.class, () -> store.pull(file.toString(), p -> { }));
        assertEquals(pull.kind(), PullException.Kind.REFUSED, pull.getMessage());
        assertTrue(pull.getMessage().contains(c.reason()), pull.getMessage());
        ModelRefusedException create = expectThrows(ModelRefusedException.class,
                () -> store.create("bad", "FROM " + file + "\n", dir));
        assertTrue(create.getMessage().contains(c.reason()), create.getMessage());
        assertTrue(store.list().isEmpty(), "nothing stored");
    }

    @Test
    public void aValidModelPassesTheTrialLoad() throws IOException {
        Path ok = TinyGguf.builder().write(dir.resolve("ok.gguf"));
        ModelProbe.childJvm(Duration.ofMinutes(1)).check("ok", ok, Optional.of(TinyGguf.CHAT_TEMPLATE));
    }

    @Test
    public void aFileThatPassesTheHeaderChecksButAbortsLlamaCppIsRefusedByTheTrialLoad() throws IOException {
        Path file = HostileGgufs.abortsLlamaCppPastTheHeaderChecks().write(dir.resolve("dup.gguf"));
        ModelCheck.bundled().check(file); // passes: the header is well-formed
        ModelRefusedException e = expectThrows(ModelRefusedException.class,
                () -> ModelProbe.childJvm(Duration.ofMinutes(1)).check("dup", file, Optional.empty()));
        assertEquals(e.reason(), Reason.LOAD_FAILED, e.getMessage());
        assertTrue(e.getMessage().contains("SIGABRT"), "says the process died: " + e.getMessage());
        assertTrue(e.getMessage().contains(HostileGgufs.DUPLICATE_TOKEN_ASSERT), "llama.cpp's line: " + e.getMessage());
    }

    @Test
    public void createRefusesItAndKeepsNoCopy() throws IOException {
        Path file = HostileGgufs.abortsLlamaCppPastTheHeaderChecks().write(dir.resolve("dup-create.gguf"));
        ModelStore store = ModelStore.builder(root).catalogue(Catalogue.empty()).build();
        ModelRefusedException e = expectThrows(ModelRefusedException.class,
                () -> store.create("dup", "FROM ./dup-create.gguf\n", dir));
        assertTrue(e.getMessage().contains(HostileGgufs.DUPLICATE_TOKEN_ASSERT), e.getMessage());
        assertFalse(store.find("dup").isPresent(), "not stored");
        try (var parts = Files.list(root.resolve("partial"))) {
            assertEquals(parts.filter(p -> p.toString().endsWith(".part")).count(), 0L, "the staged copy is gone");
        }
    }

    @Test
    public void aTrialLoadThatTakesTooLongIsRefusedNamingTheSetting() throws IOException {
        Path ok = TinyGguf.builder().write(dir.resolve("slow.gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class,
                () -> ModelProbe.childJvm(Duration.ofMillis(1)).check("slow", ok, Optional.empty()));
        assertEquals(e.reason(), Reason.LOAD_FAILED, e.getMessage());
        assertTrue(e.getMessage().contains("models.probe-timeout"), e.getMessage());
    }
}

package dev.botgate.backend.store;

import dev.botgate.backend.store.ModelRefusedException.Reason;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class ModelCheckTest {
    private Path dir;
    private Path llama;

    @BeforeClass
    public void writeModel() throws IOException {
        dir = Files.createTempDirectory("check-test");
        llama = TinyGguf.builder().write(dir.resolve("tiny.gguf"));
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        Testing.deleteTree(dir);
    }

    @Test
    public void acceptsASupportedModel() {
        GgufInfo info = ModelCheck.bundled().check(llama);
        assertEquals(info.architecture(), "llama", "the header comes back for the caller");
    }

    @Test
    public void acceptsQwen2() throws IOException {
        Path qwen2 = TinyGguf.builder().architecture("qwen2").write(dir.resolve("qwen2.gguf"));
        assertEquals(ModelCheck.bundled().check(qwen2).architecture(), "qwen2", "qwen2 is in b4916");
    }

    @Test
    public void refusesQwen3WithTheSupportedListAndTheRemedy() throws IOException {
        Path qwen3 = TinyGguf.builder().architecture("qwen3").write(dir.resolve("qwen3.gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(qwen3));
        assertEquals(e.reason(), Reason.UNSUPPORTED_ARCHITECTURE, e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("'qwen3'"), "names the architecture: " + m);
        assertTrue(m.contains("qwen2") && m.contains("llama") && m.contains("gemma3"), "lists supported ones: " + m);
        assertTrue(m.contains("newer Botgate build"), "says what to do: " + m);
    }

    @Test
    public void refusesMeanPoolingAndExplainsTheAbort() throws IOException {
        Path bert = TinyGguf.builder().architecture("bert").extra("bert.pooling_type", 1)
                .write(dir.resolve("bert-mean.gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(bert));
        assertEquals(e.reason(), Reason.MEAN_POOLING, e.getMessage());
        assertTrue(e.getMessage().contains("MEAN") && e.getMessage().contains("12517")
                && e.getMessage().contains("aborts"), e.getMessage());
    }

    @Test
    public void acceptsLastPooling() throws IOException {
        Path last = TinyGguf.builder().extra("llama.pooling_type", 3).write(dir.resolve("last.gguf"));
        assertEquals(ModelCheck.bundled().check(last).pooling(), PoolingType.LAST, "LAST pooling works in b4916");
    }

    @Test
    public void refusesATruncatedFileWithBothSizes() throws IOException {
        long full = Files.size(llama);
        Path cut = Testing.truncatedCopy(llama, dir.resolve("cut.gguf"), full - 4096);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(cut));
        assertEquals(e.reason(), Reason.TRUNCATED, e.getMessage());
        assertTrue(e.getMessage().contains("truncated: expected " + full + " bytes, file has " + (full - 4096)),
                e.getMessage());
    }

    @Test
    public void refusesANonGgufFile() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.gguf"), "just some text that is long enough");
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(text));
        assertEquals(e.reason(), Reason.NOT_GGUF, e.getMessage());
    }

    @Test
    public void refusesATensorTypeNewerThanTheBundledBuild() throws IOException {
        Path mxfp4 = TinyGguf.builder().weights(39, 32, 17, 38).write(dir.resolve("mxfp4.gguf"));
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> ModelCheck.bundled().check(mxfp4));
        assertEquals(e.reason(), Reason.UNSUPPORTED_ARCHITECTURE, e.getMessage());
        assertTrue(e.getMessage().contains("MXFP4") && e.getMessage().contains("b4916"), e.getMessage());
        Path unknown = TinyGguf.builder().weights(99, 32, 18, 2).write(dir.resolve("unknown.gguf"));
        ModelRefusedException u = expectThrows(ModelRefusedException.class,
                () -> ModelCheck.bundled().check(unknown));
        assertTrue(u.getMessage().contains("type99"), u.getMessage());
    }

    @Test
    public void acceptsQ8_0() throws IOException {
        Path q8 = TinyGguf.builder().weights(8, 32, 34, 7).write(dir.resolve("q8.gguf"));
        assertEquals(ModelCheck.bundled().check(q8).quantization(), "Q8_0", "Q8_0 is in b4916");
    }

    @Test
    public void aCustomAllowListApplies() {
        ModelRefusedException e = expectThrows(ModelRefusedException.class,
                () -> ModelCheck.allowing(Set.of("qwen2")).check(llama));
        assertTrue(e.getMessage().contains("'llama'") && e.getMessage().contains("Supported: qwen2"), e.getMessage());
    }

    @Test
    public void theAllowListHasWhatStackMdMeasuredAndNotQwen3() {
        for (String arch : new String[]{"llama", "qwen2", "qwen2moe", "gemma3", "phi3", "deepseek2", "bert",
                "nomic-bert"}) {
            assertTrue(ModelCheck.BUNDLED_ARCHITECTURES.contains(arch), arch + " loads in b4916");
        }
        for (String arch : new String[]{"qwen3", "qwen3moe", "gemma3n", "llama4", "glm4"}) {
            assertTrue(!ModelCheck.BUNDLED_ARCHITECTURES.contains(arch), arch + " is newer than b4916");
        }
    }
}

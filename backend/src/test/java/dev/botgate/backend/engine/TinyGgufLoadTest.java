package dev.botgate.backend.engine;

import static org.testng.Assert.assertFalse;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.botgate.backend.store.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.Test;

/** The generated fixture loads in the real llama.cpp and generates. */
public class TinyGgufLoadTest {
    @Test
    public void generatedModelLoadsAndGenerates() throws Exception {
        Path dir = Files.createTempDirectory("tinygguf");
        System.setProperty("de.kherud.llama.tmpdir", dir.toString());
        Path file = TinyGguf.builder().write(dir.resolve("tiny.gguf"));
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(256)
                .setThreads(1).disableLog())) {
            String out = model.complete(new InferenceParameters("hello world").setNPredict(8).setSeed(1));
            assertFalse(out.isEmpty(), "the model should generate some text");
        }
    }
}

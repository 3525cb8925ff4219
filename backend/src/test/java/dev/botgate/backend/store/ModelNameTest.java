package dev.botgate.backend.store;

import dev.botgate.backend.engine.InvalidRequestException;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class ModelNameTest {
    @Test
    public void theTagDefaultsToLatest() {
        assertEquals(ModelName.parse("qwen2.5").toString(), "qwen2.5:latest", "no tag means latest");
    }

    @Test
    public void parsesNameAndTag() {
        ModelName n = ModelName.parse("qwen2.5:0.5b");
        assertEquals(n.name(), "qwen2.5", "name");
        assertEquals(n.tag(), "0.5b", "tag");
    }

    @DataProvider
    public Object[][] invalid() {
        return new Object[][]{{"../etc/passwd"}, {"a/b"}, {"a\\b"}, {".hidden"}, {"x:"}, {":x"}, {"a:b:c"},
                {"x:.."}, {"a..b"}, {"with space"}, {""}, {"Qwen"}, {"x".repeat(65)}, {"x:../y"}, {"-x"}};
    }

    @Test(dataProvider = "invalid")
    public void refusesPathTricksAndOtherCharacters(String name) {
        InvalidRequestException e = expectThrows(InvalidRequestException.class, () -> ModelName.parse(name));
        assertTrue(e.getMessage().contains("model name"), e.getMessage());
    }

    @Test
    public void suggestsTheLowercaseName() {
        InvalidRequestException e = expectThrows(InvalidRequestException.class, () -> ModelName.parse("Qwen2.5:7B"));
        assertTrue(e.getMessage().contains("try 'qwen2.5:7b'"), e.getMessage());
    }

    @Test
    public void importsAFileUnderItsBaseName() {
        assertEquals(ModelName.fromFileName("./tiny.gguf").toString(), "tiny:latest", "./tiny.gguf");
        assertEquals(ModelName.fromFileName("/m/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf").toString(),
                "qwen2.5-0.5b-instruct-q4_k_m:latest", "lowercased");
        assertEquals(ModelName.fromFileName("my model (v2).GGUF").toString(), "my-model-v2-:latest",
                "other characters become '-'");
    }
}

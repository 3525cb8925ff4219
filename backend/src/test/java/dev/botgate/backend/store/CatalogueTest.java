package dev.botgate.backend.store;

import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class CatalogueTest {
    @Test
    public void hasTheQwenModelsWithSizesAndDigests() {
        Catalogue c = Catalogue.builtIn();
        CatalogueEntry small = c.find("qwen2.5:0.5b").orElseThrow();
        assertEquals(small.url().toString(), "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/"
                + "qwen2.5-0.5b-instruct-q4_k_m.gguf", "official Qwen repository");
        assertEquals(small.size(), 491400032L, "size");
        assertEquals(small.sha256().orElseThrow().length(), 64, "digest");
        for (String n : new String[]{"qwen2.5:1.5b", "qwen2.5:3b", "qwen2.5:7b", "llama3.2:1b", "llama3.2:3b"}) {
            CatalogueEntry e = c.find(n).orElseThrow(() -> new AssertionError(n + " missing"));
            assertTrue(e.url().getPath().endsWith(".gguf") && e.size() > 0, n + ": " + e);
        }
    }

    @Test
    public void aNameWithoutTagIsTheDocumentedAlias() {
        Catalogue c = Catalogue.builtIn();
        CatalogueEntry latest = c.find("qwen2.5").orElseThrow();
        assertEquals(latest.name(), "qwen2.5:latest", "stored under its own name");
        assertEquals(latest.url(), c.find("qwen2.5:1.5b").orElseThrow().url(), "qwen2.5 is the 1.5B");
    }

    @Test
    public void unknownAndInvalidNamesAreNotFound() {
        assertEquals(Catalogue.builtIn().find("qwen3:8b"), Optional.empty(), "qwen3 is not offered");
        assertEquals(Catalogue.builtIn().find("../x"), Optional.empty(), "an invalid name is simply absent");
    }

    @Test
    public void loadsAndAddsACatalogueFile() throws IOException {
        Path file = Files.createTempFile("catalogue", ".json");
        try {
            Files.writeString(file, """
                    {"models": [{"name": "house:1b", "url": "https://models.example.com/house.gguf", "size": 12},
                                {"name": "house", "alias": "house:1b"}]}
                    """);
            Catalogue c = Catalogue.builtIn().with(Catalogue.load(file));
            assertEquals(c.find("house").orElseThrow().url().getHost(), "models.example.com", "alias resolved");
            assertEquals(c.find("house:1b").orElseThrow().sha256(), Optional.empty(), "no digest given");
            assertTrue(c.find("qwen2.5:0.5b").isPresent(), "built-in entries stay");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    public void aBadEntryIsNamedInTheError() throws IOException {
        Path file = Files.createTempFile("catalogue", ".json");
        try {
            Files.writeString(file, """
                    {"models": [{"name": "bad", "url": "https://x/y.gguf", "sha256": "nothex"}]}
                    """);
            StoreException e = expectThrows(StoreException.class, () -> Catalogue.load(file));
            assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("sha256"), e.getMessage());
            Files.writeString(file, """
                    {"models": [{"name": "a", "alias": "missing:1b"}]}
                    """);
            StoreException alias = expectThrows(StoreException.class, () -> Catalogue.load(file));
            assertTrue(alias.getMessage().contains("missing:1b"), alias.getMessage());
            Files.writeString(file, """
                    {"models": [{"name": "ftp", "url": "ftp://files.example.com/x.gguf"}]}
                    """);
            StoreException scheme = expectThrows(StoreException.class, () -> Catalogue.load(file));
            assertTrue(scheme.getMessage().contains("http(s)"), scheme.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package dev.botgate.backend.store;

import dev.botgate.backend.store.ModelRefusedException.Reason;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class GgufFileTest {
    private Path dir;
    private TinyGguf tiny;
    private Path model;

    @BeforeClass
    public void writeModel() throws IOException {
        dir = Files.createTempDirectory("gguf-test");
        tiny = TinyGguf.builder().contextLength(4096).name("tiny test model").extra("general.license", "MIT");
        model = tiny.write(dir.resolve("tiny.gguf"));
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        Testing.deleteTree(dir);
    }

    @Test
    public void readsTheHeaderAndMetadata() {
        GgufInfo info = GgufFile.read(model);
        assertEquals(info.version(), 3, "GGUF version");
        assertEquals(info.architecture(), "llama", "architecture");
        assertEquals(info.name(), "tiny test model", "general.name");
        assertEquals(info.contextLength(), 4096, "context length");
        assertEquals(info.embeddingLength(), 64, "embedding length");
        assertEquals(info.blockCount(), 2, "block count");
        assertEquals(info.headCount(), 4, "head count");
        assertEquals(info.headCountKv(), 4, "kv head count");
        assertEquals(info.chatTemplate(), Optional.of(TinyGguf.CHAT_TEMPLATE), "chat template");
        assertEquals(info.license(), Optional.of("MIT"), "license");
        assertEquals(info.pooling(), PoolingType.UNSPECIFIED, "a generator has no pooling type");
    }

    @Test
    public void countsParametersFromTheTensorTable() {
        GgufInfo info = GgufFile.read(model);
        assertEquals(info.parameterCount(), tiny.parameterCount(), "sum of tensor element counts");
        assertEquals(info.tensorCount(), 3 + 2 * 9, "token_embd, output_norm, output + 9 per layer");
        assertEquals(info.tensorTypes(), java.util.Map.of("F32", 21L), "all tensors F32");
    }

    @Test
    public void countsTheVocabularyWithoutKeepingIt() {
        GgufInfo info = GgufFile.read(model);
        Object tokens = info.metadata().get("tokenizer.ggml.tokens");
        assertTrue(tokens instanceof GgufInfo.Array, "arrays are summarised, not kept: " + tokens);
        assertEquals(info.vocabularySize(), ((GgufInfo.Array) tokens).length(), "vocabulary = tokens array length");
        assertTrue(info.vocabularySize() > 500, "TinyGguf writes ~580 tokens, got " + info.vocabularySize());
        assertEquals(info.metadata().get("llama.vocab_size"), info.vocabularySize(), "vocab_size key agrees");
    }

    @Test
    public void namesTheFileType() {
        GgufInfo info = GgufFile.read(model);
        assertEquals(info.fileType(), 0, "general.file_type");
        assertEquals(info.quantization(), "F32", "file type 0 is F32");
        assertEquals(GgufFile.fileTypeName(15), "Q4_K_M", "file type 15");
        assertEquals(GgufFile.fileTypeName(17), "Q5_K_M", "file type 17");
        assertEquals(GgufFile.fileTypeName(18), "Q6_K", "file type 18");
        assertEquals(GgufFile.fileTypeName(7), "Q8_0", "file type 7");
        assertEquals(GgufFile.fileTypeName(2), "Q4_0", "file type 2");
        assertEquals(GgufFile.fileTypeName(1), "F16", "file type 1");
    }

    @Test
    public void aCompleteFileIsComplete() throws IOException {
        GgufInfo info = GgufFile.read(model);
        assertTrue(info.complete(), "tensor data fits in the file");
        assertEquals(info.dataEnd(), Files.size(model), "TinyGguf pads the last tensor to the file end");
    }

    @Test
    public void aFileWithShortTensorDataReadsButIsIncomplete() throws IOException {
        Path cut = Testing.truncatedCopy(model, dir.resolve("cut.gguf"), Files.size(model) - 1000);
        GgufInfo info = GgufFile.read(cut);
        assertFalse(info.complete(), "1000 bytes missing");
        assertEquals(info.fileSize(), Files.size(model) - 1000, "file size");
        assertEquals(info.dataEnd(), Files.size(model), "expected size from the tensor table");
    }

    @Test
    public void aTruncatedHeaderIsRefused() throws IOException {
        Path cut = Testing.truncatedCopy(model, dir.resolve("header-cut.gguf"), 5000);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(cut));
        assertEquals(e.reason(), Reason.TRUNCATED, e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("5000 bytes"), e.getMessage());
    }

    @Test
    public void anHtmlPageIsNotGguf() throws IOException {
        Path html = Files.writeString(dir.resolve("login.gguf"), "<!DOCTYPE html><html><body>Sign in</body></html>");
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(html));
        assertEquals(e.reason(), Reason.NOT_GGUF, e.getMessage());
        assertTrue(e.getMessage().contains("not a GGUF") && e.getMessage().contains("HTML"), e.getMessage());
    }

    @Test
    public void anEmptyFileIsNotGguf() throws IOException {
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(empty));
        assertEquals(e.reason(), Reason.NOT_GGUF, e.getMessage());
    }

    @Test
    public void versionOneIsRefused() throws IOException {
        Path v1 = withVersion(dir.resolve("v1.gguf"), 1);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(v1));
        assertEquals(e.reason(), Reason.UNSUPPORTED_VERSION, e.getMessage());
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    public void aFutureVersionIsRefused() throws IOException {
        Path v9 = withVersion(dir.resolve("v9.gguf"), 9);
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(v9));
        assertEquals(e.reason(), Reason.UNSUPPORTED_VERSION, e.getMessage());
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    public void bigEndianIsRefused() throws IOException {
        Path be = withVersion(dir.resolve("be.gguf"), Integer.reverseBytes(3));
        ModelRefusedException e = expectThrows(ModelRefusedException.class, () -> GgufFile.read(be));
        assertEquals(e.reason(), Reason.UNSUPPORTED_VERSION, e.getMessage());
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    }

    @Test
    public void aMissingFileIsAStoreError() {
        StoreException e = expectThrows(StoreException.class, () -> GgufFile.read(dir.resolve("nope.gguf")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    public void readsOtherArchitecturesAndPooling() throws IOException {
        Path bert = TinyGguf.builder().architecture("nomic-bert").extra("nomic-bert.pooling_type", 2)
                .write(dir.resolve("bert.gguf"));
        GgufInfo info = GgufFile.read(bert);
        assertEquals(info.architecture(), "nomic-bert", "architecture");
        assertEquals(info.pooling(), PoolingType.CLS, "pooling_type 2");
        assertEquals(info.embeddingLength(), 64, "keys under the architecture's prefix");
    }

    @Test
    public void sizesQuantisedTensorsByTheirBlocks() throws IOException {
        TinyGguf q8 = TinyGguf.builder().weights(8, 32, 34, 7);
        Path file = q8.write(dir.resolve("q8.gguf"));
        GgufInfo info = GgufFile.read(file);
        assertEquals(info.quantization(), "Q8_0", "file type 7");
        assertEquals(info.tensorTypes(), java.util.Map.of("F32", 5L, "Q8_0", 16L), "norms F32, matrices Q8_0");
        assertEquals(info.parameterCount(), q8.parameterCount(), "elements, not bytes");
        long padding = Files.size(file) - info.dataEnd();
        assertTrue(padding >= 0 && padding < 32, "data ends at the last 34-byte block, before the file's final "
                + "alignment padding: " + padding);
        assertTrue(Files.size(file) < Files.size(model) / 3, "Q8_0 is about a quarter of F32");
        Path cut = Testing.truncatedCopy(file, dir.resolve("q8-cut.gguf"), Files.size(file) - 34);
        assertFalse(GgufFile.read(cut).complete(), "one block short is incomplete");
    }

    private Path withVersion(Path target, int version) throws IOException {
        Files.copy(model, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, version), 4);
        }
        assertEquals(new String(Files.readAllBytes(target), 0, 4, StandardCharsets.US_ASCII), "GGUF", "magic kept");
        return target;
    }
}

package dev.botgate.backend.store;

import dev.botgate.backend.store.PullException.Kind;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code botgate pull X} means: a catalogue name, a {@code http(s)://} URL, an {@code hf://owner/repo/file.gguf}
 * reference, or a local file.
 *
 * @param url    where to download from; empty for a local file
 * @param file   the local file to import; empty for a download
 * @param name   the name the model gets in the store
 * @param sha256 the expected SHA-256 (hex) when known
 * @param size   the expected size when known, else 0
 */
record PullSource(Optional<URI> url, Optional<Path> file, ModelName name, Optional<String> sha256, long size) {

    static PullSource parse(String text, Catalogue catalogue, Path workingDir) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new PullException(Kind.NOT_FOUND, "nothing to pull: give a model name (e.g. qwen2.5:0.5b), a "
                    + "https://.../file.gguf URL, hf://owner/repo/file.gguf, or a local .gguf path");
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hf://")) {
            String ref = s.substring(5);
            String[] parts = ref.split("/");
            if (parts.length < 3 || !lower.endsWith(".gguf") || ref.contains("..") || ref.contains("?")) {
                throw new PullException(Kind.NOT_FOUND, "'" + s + "' is not a Hugging Face file reference; write "
                        + "hf://owner/repo/file.gguf, e.g. hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/"
                        + "qwen2.5-0.5b-instruct-q4_k_m.gguf");
            }
            String path = String.join("/", java.util.Arrays.copyOfRange(parts, 2, parts.length));
            URI url = URI.create("https://huggingface.co/" + parts[0] + "/" + parts[1] + "/resolve/main/" + path);
            return remote(url, ModelName.fromFileName(parts[parts.length - 1]));
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI url;
            try {
                url = URI.create(s);
            } catch (IllegalArgumentException e) {
                throw new PullException(Kind.NOT_FOUND, "'" + s + "' is not a valid URL: " + e.getMessage());
            }
            String path = url.getPath() == null ? "" : url.getPath();
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (url.getHost() == null || !last.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
                throw new PullException(Kind.NOT_FOUND, "'" + s + "' does not point at a .gguf file; Botgate pulls "
                        + "URLs of GGUF files, e.g. https://huggingface.co/owner/repo/resolve/main/model.gguf");
            }
            return remote(url, ModelName.fromFileName(last));
        }
        if (s.contains("://")) {
            throw new PullException(Kind.NOT_FOUND, "cannot pull '" + s + "': only http://, https:// and hf:// "
                    + "addresses are supported");
        }
        Optional<CatalogueEntry> entry = catalogue.find(s);
        if (entry.isPresent()) {
            CatalogueEntry e = entry.get();
            return new PullSource(Optional.of(e.url()), Optional.empty(), ModelName.parse(e.name()), e.sha256(),
                    e.size());
        }
        boolean pathLike = s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s.startsWith("~/")
                || s.contains("\\") || s.contains("/") || lower.endsWith(".gguf");
        Path file;
        try {
            file = workingDir.resolve(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
        } catch (java.nio.file.InvalidPathException e) {
            throw new PullException(Kind.NOT_FOUND, "'" + s + "' is neither a model name, a URL nor a valid path");
        }
        if (pathLike || Files.isRegularFile(file)) {
            if (!Files.isRegularFile(file)) {
                throw new PullException(Kind.NOT_FOUND, "no such file: " + file.toAbsolutePath().normalize());
            }
            return new PullSource(Optional.empty(), Optional.of(file.toAbsolutePath().normalize()),
                    ModelName.fromFileName(file.getFileName().toString()), Optional.empty(), 0);
        }
        String known = String.join(", ", catalogue.entries().stream().map(CatalogueEntry::name).toList());
        throw new PullException(Kind.NOT_FOUND, "model '" + s + "' is not in the catalogue"
                + (known.isEmpty() ? "" : " (known: " + known + ")") + "; pull a https://.../file.gguf URL, "
                + "hf://owner/repo/file.gguf, or a local .gguf file instead");
    }

    private static PullSource remote(URI url, ModelName name) {
        return new PullSource(Optional.of(url), Optional.empty(), name, Optional.empty(), 0);
    }

    /** The source as written in a manifest. */
    String label() {
        return url.map(URI::toString).orElseGet(() -> file.orElseThrow().toString());
    }

    /** The part file's key: the expected digest when known, else a hash of the URL. */
    String partKey() {
        if (sha256.isPresent()) {
            return "sha256-" + sha256.get();
        }
        byte[] h = Downloader.sha256().digest(label().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "url-" + java.util.HexFormat.of().formatHex(h, 0, 16);
    }
}

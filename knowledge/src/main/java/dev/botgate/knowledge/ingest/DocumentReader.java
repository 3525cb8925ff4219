package dev.botgate.knowledge.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Reads files into chunked {@link Document}s: PDF, .docx, Markdown, HTML, text, and Q&amp;A tables (.csv, .xlsx);
 * folders and .zip files are expanded. One unreadable file is reported and skipped, never fatal.
 *
 * <p>Sources: for a folder, each file's path relative to that folder ({@code 售后/退货政策.md}); for a file given
 * directly, its file name; inside a zip, the zip's source then the entry's path ({@code docs.zip/售后/退货政策.md}).
 * Titles are file names, or an HTML page's {@code <title>}. Hidden files, {@code __MACOSX} and similar junk are
 * ignored without a report.
 *
 * <p>Thread-safe: it holds no state between calls.
 */
public final class DocumentReader {
    private static final Map<String, Supplier<FormatReader>> FORMATS = formats();
    private static final String SUPPORTED = String.join(", ", supportedExtensions());
    private static final Map<String, String> CONVERT_HINTS = Map.of(
            "doc", "save it as .docx in Word",
            "xls", "save it as .xlsx or CSV",
            "wps", "save it as .docx",
            "ppt", "export it as PDF",
            "pptx", "export it as PDF",
            "rtf", "save it as .docx");

    private final ChunkingOptions chunking;
    private final ReadLimits limits;
    private final Chunker chunker;

    public DocumentReader(ChunkingOptions chunking, ReadLimits limits) {
        this.chunking = Objects.requireNonNull(chunking, "chunking");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.chunker = new Chunker(chunking);
    }

    /** The chunking this reader applies. */
    public ChunkingOptions chunking() {
        return chunking;
    }

    /** The limits this reader enforces. */
    public ReadLimits limits() {
        return limits;
    }

    /** The extensions {@link #read} and {@link #readAll} accept, with the dot, e.g. {@code .pdf}. */
    public static List<String> supportedExtensions() {
        return Stream.concat(FORMATS.keySet().stream(), Stream.of("zip")).map(e -> "." + e).toList();
    }

    private static Map<String, Supplier<FormatReader>> formats() {
        var m = new LinkedHashMap<String, Supplier<FormatReader>>();
        m.put("pdf", PdfReader::new);
        m.put("docx", DocxReader::new);
        m.put("md", MarkdownReader::new);
        m.put("markdown", MarkdownReader::new);
        m.put("html", HtmlReader::new);
        m.put("htm", HtmlReader::new);
        m.put("txt", PlainTextReader::new);
        m.put("csv", QaTableReader::csv);
        m.put("xlsx", QaTableReader::xlsx);
        return Collections.unmodifiableMap(m);
    }

    /**
     * Expands folders and zips in a stable order (sorted by source), tells the listener how many files there are,
     * then reads each one. Sources are relative to the path given (a file given directly is its own file name).
     * Never throws for a bad file: each one is reported through {@link ReadListener#skipped} and reading goes on;
     * a source seen twice in one call is read once and reported as a duplicate the second time.
     */
    public void readAll(List<Path> paths, ReadListener listener) {
        readAll(paths, Set.of(), listener);
    }

    /**
     * {@link #readAll(List, ReadListener)} that never reads anything inside {@code excluded} (folders such as the
     * server's data directory, with its keys, message record and indexes). Each path is resolved to its real path,
     * and a folder's files must stay inside it: a link inside the folder that points out of it (to
     * {@code /etc/passwd}, or into an excluded folder) is reported as skipped, never followed.
     */
    public void readAll(List<Path> paths, Set<Path> excluded, ReadListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<Path> fence = new ArrayList<>();
        for (Path e : excluded) {
            fence.add(realOrAbsolute(e));
        }
        var items = new ArrayList<Item>();
        for (Path path : paths) {
            expand(path, fence, items);
        }
        listener.total(items.size());
        Set<String> seen = new HashSet<>();
        for (Item item : items) {
            if (!seen.add(item.source())) {
                listener.skipped(new Skipped(item.source(), "another file with the same name and path was already "
                        + "read in this import; rename one of them"));
                continue;
            }
            try {
                listener.document(read(item));
            } catch (IngestException e) {
                listener.skipped(new Skipped(item.source(), e.getMessage()));
            }
        }
    }

    /**
     * Reads one uploaded file; the extension of {@code fileName} decides the type. The source is {@code fileName}
     * (with forward slashes), the title its last segment.
     *
     * @throws IngestException when the file cannot be imported; the message says why and what to do
     */
    public Document read(String fileName, byte[] content) {
        Objects.requireNonNull(content, "content");
        String source = ZipArchive.normalise(Objects.requireNonNull(fileName, "fileName"));
        if (source.isEmpty()) {
            throw new IngestException("the file has no name; give it a name with an extension such as .pdf");
        }
        if (extension(source).equals("zip")) {
            throw new IngestException("a .zip holds several files: import it as an archive (the import of a path "
                    + "expands it), not as one document");
        }
        return parse(source, leaf(source), content);
    }

    /**
     * Chunks plain text that did not come from a file (e.g. a benchmark paragraph) as a text document would be.
     * The content hash is that of the text's UTF-8 bytes.
     *
     * @throws IngestException when the text is blank
     */
    public Document readText(String title, String source, String text) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(source, "source");
        List<Chunk> chunks = chunker.chunk(PlainTextReader.units(Objects.requireNonNull(text, "text")));
        if (chunks.isEmpty()) {
            throw new IngestException("no text to import");
        }
        return new Document(title, source, hash(text.getBytes(StandardCharsets.UTF_8)), chunks);
    }

    /** A file to read, found while expanding the paths. */
    private sealed interface Item {
        String source();
    }

    private record OnDisk(Path path, String source) implements Item {
    }

    private record InZip(Path zip, ZipArchive.Scan scan, String name, String source) implements Item {
    }

    private record Failed(String source, String reason) implements Item {
    }

    private void expand(Path path, List<Path> excluded, List<Item> items) {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (!Files.exists(path)) {
            items.add(new Failed(name, "not found: " + path + "; check the path"));
            return;
        }
        Path root;
        try {
            root = path.toRealPath();
        } catch (IOException e) {
            items.add(new Failed(name, "the path could not be resolved (" + e.getMessage() + "); check permissions"));
            return;
        }
        if (inside(root, excluded)) {
            items.add(new Failed(name, DATA_DIRECTORY));
            return;
        }
        if (!Files.isDirectory(root)) {
            addFile(root, name, items);
            return;
        }
        var bySource = new TreeMap<String, Path>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && excluded.contains(dir)) {
                        items.add(new Failed(source(root, dir), DATA_DIRECTORY));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String source = source(root, file);
                    if (ZipArchive.isJunk(source)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        linked(root, file, source, excluded, bySource, items);
                    } else if (attrs.isRegularFile()) {
                        bySource.put(source, file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    items.add(new Failed(source(root, file), "could not be read from disk (" + e.getMessage()
                            + "); check permissions"));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            items.add(new Failed(name, "the folder could not be listed (" + e.getMessage() + "); check permissions"));
            return;
        }
        bySource.forEach((source, f) -> addFile(f, source, items));
    }

    private static final String DATA_DIRECTORY = "inside Botgate's data directory (keys, message record, indexes), "
            + "which is never imported";

    /**
     * A link found in a folder: read (from its real target) only when that stays inside the folder. Links are
     * where a folder import escaped before: a link to /etc/passwd made its lines searchable.
     */
    private static void linked(Path root, Path link, String source, List<Path> excluded, Map<String, Path> bySource,
                               List<Item> items) {
        Path target;
        try {
            target = link.toRealPath();
        } catch (IOException e) {
            items.add(new Failed(source, "a link whose target does not exist; nothing to read"));
            return;
        }
        if (!target.startsWith(root) || inside(target, excluded)) {
            items.add(new Failed(source, "a link pointing outside the imported folder; links are not followed out "
                    + "of it (copy the file into the folder to import it)"));
        } else if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            bySource.put(source, target);
        } else {
            items.add(new Failed(source, "a link to a folder; not followed (its files are imported from where "
                    + "they are, if inside the folder)"));
        }
    }

    private static String source(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static boolean inside(Path real, List<Path> excluded) {
        for (Path e : excluded) {
            if (real.startsWith(e)) {
                return true;
            }
        }
        return false;
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private void addFile(Path file, String source, List<Item> items) {
        if (!extension(source).equals("zip")) {
            items.add(new OnDisk(file, source));
            return;
        }
        try {
            if (Files.size(file) > limits.maxUnzippedBytes()) {
                items.add(new Failed(source, "over the size limit of " + Sizes.human(limits.maxUnzippedBytes())
                        + " for an archive; split it or raise the limit"));
                return;
            }
            ZipArchive.Scan scan = ZipArchive.scan(file, limits);
            if (scan.names().isEmpty()) {
                items.add(new Failed(source, "the archive holds no files to import"));
            }
            for (String entry : scan.names().keySet()) {
                items.add(new InZip(file, scan, entry, source + "/" + entry));
            }
        } catch (IngestException e) {
            items.add(new Failed(source, e.getMessage()));
        } catch (IOException e) {
            items.add(new Failed(source, "could not be read from disk (" + e.getMessage() + "); check permissions"));
        }
    }

    private Document read(Item item) {
        return switch (item) {
            case Failed f -> throw new IngestException(f.reason());
            case OnDisk d -> {
                byte[] bytes;
                try {
                    long size = Files.size(d.path());
                    if (size > limits.maxFileBytes()) {
                        throw overLimit(size);
                    }
                    // The final component is never followed: a file swapped for a link after the walk is not read.
                    try (var in = Files.newInputStream(d.path(), LinkOption.NOFOLLOW_LINKS)) {
                        bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileBytes() + 1));
                    }
                } catch (IOException e) {
                    throw new IngestException("could not be read from disk (" + e.getMessage()
                            + "); check permissions", e);
                }
                yield parse(d.source(), leaf(d.source()), bytes);
            }
            case InZip z -> {
                String tooBig = z.scan().tooBig().get(z.name());
                if (tooBig != null) {
                    throw new IngestException(tooBig);
                }
                if (extension(z.name()).equals("zip")) {
                    throw new IngestException("a .zip inside a .zip is not expanded; unpack it and import its files");
                }
                byte[] bytes;
                try {
                    bytes = ZipArchive.read(z.zip(), limits, z.scan(), z.name());
                } catch (IOException e) {
                    throw new IngestException("could not be unpacked (" + e.getMessage()
                            + "); the archive may be damaged", e);
                }
                yield parse(z.source(), leaf(z.name()), bytes);
            }
        };
    }

    private IngestException overLimit(long size) {
        return new IngestException("over the size limit of " + Sizes.human(limits.maxFileBytes()) + " (the file is "
                + Sizes.human(size) + "); split it or raise the limit");
    }

    private Document parse(String source, String title, byte[] bytes) {
        if (bytes.length > limits.maxFileBytes()) {
            throw overLimit(bytes.length);
        }
        String ext = extension(title);
        Supplier<FormatReader> format = FORMATS.get(ext);
        if (format == null) {
            String hint = CONVERT_HINTS.get(ext);
            throw new IngestException((ext.isEmpty() ? "unsupported file type (no extension)"
                    : "unsupported file type ." + ext) + (hint == null ? "" : "; " + hint + " and import again")
                    + "; supported: " + SUPPORTED);
        }
        Parsed parsed;
        try {
            parsed = format.get().read(bytes);
        } catch (IngestException e) {
            throw e;
        } catch (Exception | StackOverflowError e) {
            throw new IngestException(damaged(ext, e), e);
        }
        List<Chunk> chunks = chunker.chunk(parsed.units());
        if (chunks.isEmpty()) {
            throw new IngestException("no text found in the file; nothing to import");
        }
        return new Document(parsed.title().orElse(title), source, hash(bytes), chunks);
    }

    private static String damaged(String ext, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (detail.length() > 160) {
            detail = detail.substring(0, 160) + "…";
        }
        return switch (ext) {
            case "pdf" -> "the PDF is damaged or not a PDF (" + detail + "); re-save or re-export it and import again";
            case "docx" -> "not a readable Word .docx file (" + detail + "); if it is an old .doc renamed, save it "
                    + "as .docx in Word and import again";
            case "xlsx" -> "not a readable Excel .xlsx file (" + detail + "); save it as .xlsx or CSV and import again";
            default -> "the file could not be read (" + detail + "); check that it is a ." + ext + " file";
        };
    }

    static String hash(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String extension(String name) {
        String leaf = leaf(name);
        int dot = leaf.lastIndexOf('.');
        return dot <= 0 ? "" : leaf.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String leaf(String source) {
        return source.substring(source.lastIndexOf('/') + 1);
    }
}

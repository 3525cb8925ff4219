package dev.botgate.knowledge.ingest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * A .zip read without unpacking it to disk, guarded against zip bombs: the sizes in the headers are never trusted;
 * bytes are counted while they inflate, and reading stops as soon as the entry count, the total expanded size, or the
 * expansion ratio of one entry is over its limit. {@link #scan} streams and inflates every entry once to check the
 * whole archive before any document is read from it, so a bomb yields nothing but its report; {@link #read} then
 * inflates one entry at a time (random access, so only one entry is ever held in memory) under the same caps.
 */
final class ZipArchive {
    /** An entry that expands more than this many times its compressed size is a bomb (POI uses the same ratio). */
    static final int MAX_RATIO = 100;
    /** The ratio is judged only past this size: tiny, very repetitive files are common and harmless. */
    static final long RATIO_FLOOR_BYTES = 1L << 20;

    private final Path file;
    private final ReadLimits limits;
    private final Charset names;

    private ZipArchive(Path file, ReadLimits limits, Charset names) {
        this.file = file;
        this.limits = limits;
        this.names = names;
    }

    /**
     * The entries worth reading, by normalised name, sorted; entries over the per-file limit map to the reason.
     *
     * @throws IngestException when the archive is damaged or looks like a zip bomb
     */
    static Scan scan(Path file, ReadLimits limits) {
        try {
            return new ZipArchive(file, limits, StandardCharsets.UTF_8).scan();
        } catch (IllegalArgumentException | ZipException e) {
            // Archives made on Chinese Windows store names in GBK without saying so.
            try {
                return new ZipArchive(file, limits, Charsets.GB18030).scan();
            } catch (IOException | IllegalArgumentException again) {
                throw damaged(e);
            }
        } catch (IOException e) {
            throw damaged(e);
        }
    }

    private static IngestException damaged(Exception e) {
        return new IngestException("the .zip file is damaged or not a zip archive (" + e.getMessage()
                + "); re-create it and import again", e);
    }

    /**
     * @param names   entry name (normalised) to its name inside the archive, sorted
     * @param tooBig  normalised names of entries over the per-file limit, with the reason
     * @param charset how entry names are encoded
     */
    record Scan(Map<String, String> names, Map<String, String> tooBig, Charset charset) {
    }

    /**
     * Streams the archive once through {@link ZipInputStream} over a byte counter, so the expansion ratio is
     * measured on the packed bytes actually consumed, not on sizes the headers claim.
     */
    private Scan scan() throws IOException {
        var found = new TreeMap<String, String>();
        var tooBig = new TreeMap<String, String>();
        long total = 0;
        int count = 0;
        byte[] buf = new byte[64 * 1024];
        try (var counted = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file)));
             var zip = new ZipInputStream(counted, names)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (++count > limits.maxZipEntries()) {
                    throw bomb("it has more than " + limits.maxZipEntries() + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                String name = normalise(entry.getName());
                long packedStart = counted.count();
                long n = 0;
                boolean over = false;
                int r;
                while ((r = zip.read(buf)) > 0) {
                    n += r;
                    total += r;
                    if (total > limits.maxUnzippedBytes()) {
                        throw bomb("it expands to more than " + Sizes.human(limits.maxUnzippedBytes()));
                    }
                    // ZipInputStream reads ahead at most its 512-byte buffer, hence the allowance.
                    long packed = Math.max(counted.count() - packedStart - 512, 1);
                    if (n > Math.min(RATIO_FLOOR_BYTES, limits.maxFileBytes()) && n / packed > MAX_RATIO) {
                        throw bomb("'" + entry.getName() + "' expands more than " + MAX_RATIO
                                + " times its packed size");
                    }
                    if (n > limits.maxFileBytes()) {
                        over = true;
                        break;
                    }
                }
                if (name.isEmpty() || isJunk(name)) {
                    continue;
                }
                if (over) {
                    tooBig.put(name, "over the size limit of " + Sizes.human(limits.maxFileBytes())
                            + " once unpacked; split it or raise the limit");
                }
                found.put(name, entry.getName());
            }
        }
        return new Scan(found, tooBig, names);
    }

    /** Counts the bytes read through it. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    /** Reads one entry found by {@link #scan}, under the same caps. */
    static byte[] read(Path file, ReadLimits limits, Scan scan, String name) throws IOException {
        try (var zip = new ZipFile(file.toFile(), scan.charset())) {
            ZipEntry entry = zip.getEntry(scan.names().get(name));
            if (entry == null) {
                throw new IngestException("the entry vanished from the archive while it was read; import again");
            }
            return new ZipArchive(file, limits, scan.charset()).inflate(zip, entry);
        }
    }

    /** Inflates one entry counting bytes, and stops at the first cap. */
    private byte[] inflate(ZipFile zip, ZipEntry entry) throws IOException {
        long packed = Math.max(entry.getCompressedSize(), 1);
        var out = new ByteArrayOutputStream();
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = zip.getInputStream(entry)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
                if (n > limits.maxUnzippedBytes()) {
                    throw bomb("it expands to more than " + Sizes.human(limits.maxUnzippedBytes()));
                }
                if (n > Math.min(RATIO_FLOOR_BYTES, limits.maxFileBytes()) && n / packed > MAX_RATIO) {
                    throw bomb("'" + entry.getName() + "' expands more than " + MAX_RATIO + " times its packed size");
                }
                if (n > limits.maxFileBytes()) {
                    throw new IngestException("over the size limit of " + Sizes.human(limits.maxFileBytes())
                            + " once unpacked; split it or raise the limit");
                }
                out.write(buf, 0, r);
            }
        }
        return out.toByteArray();
    }

    private static IngestException bomb(String why) {
        return new IngestException("refused as a possible zip bomb: " + why
                + "; unpack it yourself and import the folder, or raise the limits");
    }

    /** Forward slashes, no leading slash, no "." or ".." segments. */
    static String normalise(String name) {
        var parts = new ArrayList<String>();
        for (String part : name.replace('\\', '/').split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /** Files the user never meant to import: macOS resource forks, hidden files, Windows thumbnails. */
    static boolean isJunk(String path) {
        for (String part : path.split("/")) {
            if (part.startsWith(".") || part.equals("__MACOSX")) {
                return true;
            }
        }
        String leaf = path.substring(path.lastIndexOf('/') + 1);
        return leaf.equalsIgnoreCase("Thumbs.db") || leaf.equalsIgnoreCase("desktop.ini") || leaf.startsWith("~$");
    }
}

package dev.botgate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The data directory's permissions: it holds the message record, API-key hashes, imported documents and models, so
 * it and its folders are the owner's alone (0700) and its record and key files too (0600). New folders are created so;
 * existing ones (a data directory made by an older version, or by hand) are tightened at every start. Where the file
 * system has no POSIX permissions (Windows) nothing is changed.
 */
public final class DataDirectory {
    private static final System.Logger LOG = System.getLogger(DataDirectory.class.getName());
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    /** Folders directly under the data directory. */
    private static final List<String> FOLDERS = List.of("native", "knowledge", "models", "tmp");
    /** Files directly under the data directory: the record (with SQLite's journal files) and the API-key hashes. */
    private static final List<String> FILES = List.of("messages.db", "messages.db-wal", "messages.db-shm",
            "messages.db-journal", "api-keys", "accounts.db", "accounts.db-wal", "accounts.db-shm", "console-bots.yaml");

    private DataDirectory() {
    }

    /** Creates the data directory and its folders (0700) where missing, and tightens them and its record and keys. */
    public static void secure(Path home) {
        createPrivateDirectory(home);
        for (String f : FOLDERS) {
            createPrivateDirectory(home.resolve(f));
        }
        for (String f : FILES) {
            tighten(home.resolve(f), PRIVATE_FILE);
        }
    }

    /** Creates a folder (and missing parents) readable by the owner only; tightens it if it exists. */
    public static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                if (posix()) {
                    Files.createDirectories(dir, asAttribute(PRIVATE_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        tighten(dir, PRIVATE_DIR);
    }

    /** Creates an empty file readable by the owner only, unless it exists; tightens it if it does. */
    public static void createPrivateFile(Path file) {
        try {
            if (!Files.exists(file)) {
                if (posix()) {
                    Files.createFile(file, asAttribute(PRIVATE_FILE));
                } else {
                    Files.createFile(file);
                }
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created meanwhile by another process: tightened below
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        tighten(file, PRIVATE_FILE);
    }

    /** Sets the permissions of an existing path (not following a link); nothing when missing or not POSIX. */
    static void tighten(Path p, Set<PosixFilePermission> mode) {
        if (!posix() || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(p)) {
            return;
        }
        try {
            if (!Files.getPosixFilePermissions(p).equals(mode)) {
                Files.setPosixFilePermissions(p, mode);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // e.g. owned by another user: say so, but a start must not fail over it
            LOG.log(Level.WARNING, "cannot restrict " + p + " to its owner: " + e.getMessage());
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> asAttribute(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.asFileAttribute(mode);
    }
}

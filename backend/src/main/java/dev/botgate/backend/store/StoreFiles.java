package dev.botgate.backend.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's layout on disk and its locks.
 *
 * <pre>
 * root/
 *   blobs/sha256-&lt;hex&gt;              GGUF files, named by content: variants share them
 *   manifests/&lt;name&gt;/&lt;tag&gt;.json      one per model name
 *   partial/&lt;key&gt;.part (+ .json)     downloads in progress, resumable; key = sha256-&lt;hex&gt; or url-&lt;hash&gt;
 *   .lock                            held while writing blobs and manifests
 * </pre>
 */
final class StoreFiles {
    private final Path root;
    private final ReentrantLock local = new ReentrantLock();

    StoreFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path blobs() {
        return root.resolve("blobs");
    }

    Path blob(String hex) {
        return blobs().resolve("sha256-" + hex);
    }

    Path manifests() {
        return root.resolve("manifests");
    }

    Path manifest(ModelName name) {
        return manifests().resolve(name.name()).resolve(name.tag() + ".json");
    }

    Path partial() {
        return root.resolve("partial");
    }

    void createDirectories() throws IOException {
        Files.createDirectories(blobs());
        Files.createDirectories(manifests());
        Files.createDirectories(partial());
    }

    /**
     * Takes the store's writer lock: this process's threads queue on a lock, other processes (a CLI next to a server)
     * on an OS file lock on {@code .lock}.
     */
    Lock lockForWriting() throws IOException {
        createDirectories();
        local.lock();
        try {
            FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                return new Lock(channel, lockWaiting(channel), true);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /**
     * Tries to take the lock that marks {@code file} as being written by one pull; empty when another pull, here or
     * in another process, holds it.
     */
    Optional<Lock> tryLock(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new Lock(channel, lock, false));
        } catch (OverlappingFileLockException e) {
            channel.close(); // held by another thread of this JVM
            return Optional.empty();
        }
    }

    /** A held lock; closing releases it. */
    final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;
        private final boolean writer;

        private Lock(FileChannel channel, FileLock lock, boolean writer) {
            this.channel = channel;
            this.lock = lock;
            this.writer = writer;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
                channel.close();
            } finally {
                if (writer) {
                    local.unlock();
                }
            }
        }
    }

    /**
     * Blocks for the OS lock. A second store object on the same root in this JVM gets
     * OverlappingFileLockException instead of blocking, so wait for it the same way, politely.
     */
    private static FileLock lockWaiting(FileChannel channel) throws IOException {
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the store lock");
                }
            }
        }
    }

    /** Moves {@code from} onto {@code to} in one step, so no reader sees a half-written file. */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Only across file systems, which the layout above never does; still finish rather than fail.
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(java.util.Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return bytes + " B";
    }
}

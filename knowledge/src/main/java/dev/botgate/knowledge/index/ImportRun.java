package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Skipped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The mutable progress of one import job; {@link #snapshot()} is what callers see. */
final class ImportRun {
    private final String id;
    private final String base;
    private final Clock clock;
    private final Instant created;
    private ImportJob.State state = ImportJob.State.QUEUED;
    private Instant started;
    private Instant finished;
    private int filesTotal;
    private int filesDone;
    private int added;
    private int replaced;
    private int unchanged;
    private long chunks;
    private final List<Skipped> skipped = new ArrayList<>();
    private String error = "";

    ImportRun(String id, String base, Clock clock) {
        this.id = id;
        this.base = base;
        this.clock = clock;
        this.created = clock.instant();
    }

    String id() {
        return id;
    }

    String base() {
        return base;
    }

    synchronized void running() {
        state = ImportJob.State.RUNNING;
        started = clock.instant();
    }

    synchronized void total(int files) {
        filesTotal = files;
    }

    synchronized void fileDone() {
        filesDone++;
    }

    synchronized void skipped(Skipped s) {
        skipped.add(s);
        filesDone++;
    }

    synchronized void written(WriteResult result, int chunkCount) {
        switch (result) {
            case ADDED -> added++;
            case REPLACED -> replaced++;
            case UNCHANGED -> unchanged++;
        }
        chunks += chunkCount;
    }

    synchronized void done() {
        state = ImportJob.State.DONE;
        finished = clock.instant();
    }

    synchronized void failed(String why) {
        state = ImportJob.State.FAILED;
        error = why;
        finished = clock.instant();
        if (started == null) {
            started = finished;
        }
    }

    synchronized boolean active() {
        return state == ImportJob.State.QUEUED || state == ImportJob.State.RUNNING;
    }

    synchronized ImportJob snapshot() {
        Instant now = clock.instant();
        Duration elapsed = started == null ? Duration.ZERO
                : Duration.between(started, finished == null ? now : finished);
        double seconds = elapsed.toNanos() / 1e9;
        double rate = seconds > 0 ? chunks / seconds : 0;
        Duration eta = Duration.ZERO;
        if (state == ImportJob.State.RUNNING && filesDone > 0 && filesTotal > filesDone) {
            eta = elapsed.multipliedBy(filesTotal - filesDone).dividedBy(filesDone);
        }
        return new ImportJob(id, base, state, filesTotal, filesDone, added, replaced, unchanged, chunks, rate, eta,
                skipped, error, created, elapsed);
    }
}

package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Skipped;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of an import job's progress.
 *
 * @param id                 the job's id, for {@link KnowledgeBases#job(String)}
 * @param base               the knowledge base it imports into
 * @param state              queued, running, done or failed
 * @param filesTotal         files to read (after expanding folders and zips), 0 until known
 * @param filesDone          files read so far, skipped ones included
 * @param documentsAdded     documents new to the base
 * @param documentsReplaced  documents whose content changed and were replaced
 * @param documentsUnchanged documents already there with the same content, left alone
 * @param chunks             chunks embedded and written
 * @param chunksPerSecond    embedding rate while running
 * @param eta                estimated time left, {@link Duration#ZERO} when done or not yet known
 * @param skipped            files that could not be imported, with the reason
 * @param error              why the job failed; empty unless {@code state} is failed
 * @param created            when the job was started
 * @param elapsed            time spent running so far
 */
public record ImportJob(String id, String base, State state, int filesTotal, int filesDone, int documentsAdded,
                        int documentsReplaced, int documentsUnchanged, long chunks, double chunksPerSecond,
                        Duration eta, List<Skipped> skipped, String error, Instant created, Duration elapsed) {
    public ImportJob {
        skipped = List.copyOf(skipped);
    }

    /** Whether the job has stopped, done or failed. */
    public boolean finished() {
        return state == State.DONE || state == State.FAILED;
    }

    /** The life of a job. */
    public enum State { QUEUED, RUNNING, DONE, FAILED }
}

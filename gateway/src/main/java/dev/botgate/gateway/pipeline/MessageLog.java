package dev.botgate.gateway.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable record of every accepted platform message and its answer, in SQLite (WAL mode, one file under the data
 * directory). A message is recorded before it is acknowledged, so a crash between acknowledgement and answer is
 * repaired at the next start ({@link #unanswered}); the unique key on (channel, bot, platform id) makes a platform's
 * retry recognisable even after a restart. The schema is plain SQL that PostgreSQL also runs.
 *
 * <p>Thread-safe: one connection. Writes go through one writer thread that commits them in groups (see
 * {@code writeLoop}); reads share the connection under this object's lock.
 */
public final class MessageLog implements AutoCloseable {
    private final Connection db;
    private final Clock clock;
    /** Statements compiled once: under load, compiling each statement again took most of the lock's time. */
    private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();
    /** Writes wait here for the writer thread, which commits everything that queued up in one transaction. */
    private final java.util.concurrent.BlockingQueue<Write> writes = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread writer;

    private interface Op {
        Object run() throws SQLException;
    }

    private record Write(Op op, java.util.concurrent.CompletableFuture<Object> done) {
    }

    /**
     * States a recorded message goes through: RECEIVED (acknowledged, being answered), QUEUED (acknowledged while the
     * answers waiting in memory were at their bound: it waits here, and keeps this state while it is answered),
     * ANSWERED, HELD (a passive-reply answer waiting for the
     * user's next message), FAILED (given up, with the reason).
     */
    public enum State { RECEIVED, QUEUED, ANSWERED, HELD, FAILED }

    /**
     * One recorded message.
     *
     * @param replyContext the adapter's opaque reply context (JSON), needed to answer after a restart
     */
    public record Entry(long id, String channel, String bot, String platformId, String conversation, String sender,
                        String text, String replyContext, Instant receivedAt, State state, String answer,
                        String policy, Optional<Instant> answeredAt, int attempts, String lastError) {
    }

    public MessageLog(Path file, Clock clock) {
        this.clock = clock;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // The record holds every user's questions: the owner's alone. SQLite gives its -wal and -shm files the
            // database file's mode, so creating it 0600 before SQLite opens it covers them too.
            dev.botgate.gateway.DataDirectory.createPrivateFile(file.toAbsolutePath());
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=NORMAL");
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS messages (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          channel VARCHAR(32) NOT NULL,
                          bot VARCHAR(128) NOT NULL,
                          platform_id VARCHAR(256) NOT NULL,
                          conversation VARCHAR(512) NOT NULL,
                          sender VARCHAR(256) NOT NULL,
                          text TEXT NOT NULL,
                          reply_context TEXT NOT NULL,
                          received_at BIGINT NOT NULL,
                          state VARCHAR(16) NOT NULL,
                          answer TEXT,
                          policy VARCHAR(32),
                          answered_at BIGINT,
                          attempts INTEGER NOT NULL DEFAULT 0,
                          last_error TEXT,
                          UNIQUE (channel, bot, platform_id))""");
                st.execute("CREATE INDEX IF NOT EXISTS messages_state ON messages(state)");
                st.execute("CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation, id)");
            }
        } catch (java.io.IOException | java.io.UncheckedIOException | SQLException e) {
            throw new PipelineException("cannot open the message record " + file + ": " + e.getMessage(), e);
        }
        writer = Thread.ofPlatform().name("message-record-writer").daemon(true).start(this::writeLoop);
    }

    /**
     * Group commit: every write that queued while the last transaction ran goes into the next one. A callback's
     * insert still waits for its own commit before the platform is acknowledged, but a burst of callbacks shares
     * one commit instead of queueing for one each.
     */
    private void writeLoop() {
        List<Write> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(writes.take());
            } catch (InterruptedException e) {
                return;
            }
            writes.drainTo(batch, 511);
            if (batch.stream().anyMatch(w -> w.op() == null)) {
                batch.forEach(w -> w.done().complete(null));
                return;
            }
            synchronized (this) {
                Object[] results = new Object[batch.size()];
                SQLException[] errors = new SQLException[batch.size()];
                try {
                    db.setAutoCommit(false);
                    for (int i = 0; i < batch.size(); i++) {
                        try {
                            results[i] = batch.get(i).op().run();
                        } catch (SQLException e) {
                            errors[i] = e;
                        }
                    }
                    db.commit();
                    db.setAutoCommit(true);
                    for (int i = 0; i < batch.size(); i++) {
                        if (errors[i] != null) {
                            batch.get(i).done().completeExceptionally(errors[i]);
                        } else {
                            batch.get(i).done().complete(results[i]);
                        }
                    }
                } catch (SQLException e) {
                    try {
                        db.rollback();
                        db.setAutoCommit(true);
                    } catch (SQLException ignored) {
                        // the commit's own error is the one to report
                    }
                    batch.forEach(w -> w.done().completeExceptionally(e));
                }
            }
            batch.clear();
        }
    }

    private Object write(Op op) {
        java.util.concurrent.CompletableFuture<Object> done = new java.util.concurrent.CompletableFuture<>();
        writes.add(new Write(op, done));
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            throw new PipelineException("cannot write the message record: " + cause.getMessage(), cause);
        }
    }

    /**
     * Records a new message. Returns its id, or empty when (channel, bot, platformId) was already recorded: a retry.
     */
    public Optional<Long> record(String channel, String bot, String platformId, String conversation,
                                 String sender, String text, String replyContext) {
        return record(channel, bot, platformId, conversation, sender, text, replyContext, State.RECEIVED);
    }

    /** As {@link #record(String, String, String, String, String, String, String)}, in the given first state. */
    @SuppressWarnings("unchecked")
    public Optional<Long> record(String channel, String bot, String platformId, String conversation,
                                 String sender, String text, String replyContext, State state) {
        return (Optional<Long>) write(() -> insert(channel, bot, platformId, conversation, sender, text, replyContext,
                state));
    }

    private Optional<Long> insert(String channel, String bot, String platformId, String conversation,
                                  String sender, String text, String replyContext, State state) throws SQLException {
        String sql = "INSERT INTO messages (channel, bot, platform_id, conversation, sender, text, reply_context, "
                + "received_at, state) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (channel, bot, platform_id) DO NOTHING";
        PreparedStatement ps = statement(sql);
        {
            ps.setString(1, channel);
            ps.setString(2, bot);
            ps.setString(3, platformId);
            ps.setString(4, conversation);
            ps.setString(5, sender);
            ps.setString(6, text);
            ps.setString(7, replyContext);
            ps.setLong(8, clock.millis());
            ps.setString(9, state.name());
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
            try (ResultSet keys = statement("SELECT last_insert_rowid()").executeQuery()) {
                keys.next();
                return Optional.of(keys.getLong(1));
            }
        }
    }

    /** Whether a platform id was already recorded within the window (a retry after a restart). */
    public synchronized boolean seen(String channel, String bot, String platformId, Duration window) {
        try {
            PreparedStatement ps = statement(
                    "SELECT 1 FROM messages WHERE channel=? AND bot=? AND platform_id=? AND received_at>=?");
            ps.setString(1, channel);
            ps.setString(2, bot);
            ps.setString(3, platformId);
            ps.setLong(4, clock.millis() - window.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new PipelineException("cannot read the message record: " + e.getMessage(), e);
        }
    }

    /** Marks a message answered (or held for later delivery) with the answer text and the policy that made it. */
    public void answered(long id, State state, String answer, String policy) {
        update("UPDATE messages SET state=?, answer=?, policy=?, answered_at=?, last_error=NULL WHERE id=?",
                state.name(), answer, policy, clock.millis(), id);
    }

    /**
     * Closes a message the bot must not answer (a human servicer holds the conversation) without an answer, with the
     * reason in {@code last_error} and {@code policy} saying who answers instead.
     */
    public void notAnswered(long id, String policy, String reason) {
        update("UPDATE messages SET state=?, policy=?, answered_at=?, last_error=? WHERE id=?", State.ANSWERED.name(),
                policy, clock.millis(), reason, id);
    }

    /** Keeps a computed answer before it is sent, so a failed send is retried without asking the model again. */
    public void answerReady(long id, String answer, String policy) {
        update("UPDATE messages SET answer=?, policy=? WHERE id=?", answer, policy, id);
    }

    /** Records a failed attempt; the message stays RECEIVED for a retry unless {@code giveUp}. */
    public void attemptFailed(long id, String reason, boolean giveUp) {
        update("UPDATE messages SET attempts=attempts+1, last_error=?, state=? WHERE id=?",
                reason, giveUp ? State.FAILED.name() : State.RECEIVED.name(), id);
    }

    /** Moves every RECEIVED message without a computed answer to the backlog (at start: what a crash left). */
    public void queueUnanswered() {
        update("UPDATE messages SET state=? WHERE state=? AND answer IS NULL", State.QUEUED.name(),
                State.RECEIVED.name());
    }

    /** How many messages wait in the backlog ({@link State#QUEUED}). */
    public synchronized int queuedCount() {
        try (ResultSet rs = statement("SELECT COUNT(*) FROM messages WHERE state='QUEUED'").executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new PipelineException("cannot read the message record: " + e.getMessage(), e);
        }
    }

    /**
     * The backlog after {@code afterId}: up to {@code limit} {@link State#QUEUED} messages, oldest first. Ids grow in
     * commit order, so a reader that remembers the last id it took never sees a message twice nor misses one.
     */
    public synchronized List<Entry> queued(long afterId, int limit) {
        return query("SELECT * FROM messages WHERE state='QUEUED' AND id>? ORDER BY id LIMIT ?", ps -> {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
        });
    }

    /** Messages accepted but not answered yet (after a crash, or awaiting a retry), oldest first. */
    public synchronized List<Entry> unanswered() {
        return query("SELECT * FROM messages WHERE state='RECEIVED' ORDER BY id", ps -> { });
    }

    /** Answers held for a conversation (a passive-reply platform whose deadline passed), oldest first. */
    public synchronized List<Entry> held(String channel, String bot, String conversation) {
        return query("SELECT * FROM messages WHERE state='HELD' AND channel=? AND bot=? AND conversation=? ORDER BY id",
                ps -> {
                    ps.setString(1, channel);
                    ps.setString(2, bot);
                    ps.setString(3, conversation);
                });
    }

    /** Recent messages, newest first, optionally of one conversation. */
    public synchronized List<Entry> recent(Optional<String> conversation, int limit) {
        if (conversation.isPresent()) {
            return query("SELECT * FROM messages WHERE conversation=? ORDER BY id DESC LIMIT ?", ps -> {
                ps.setString(1, conversation.get());
                ps.setInt(2, limit);
            });
        }
        return query("SELECT * FROM messages ORDER BY id DESC LIMIT ?", ps -> ps.setInt(1, limit));
    }

    /** A bot's messages that ended FAILED (given up after retries) since a moment, newest first. */
    public synchronized List<Entry> failedSince(String bot, Instant since) {
        return query("SELECT * FROM messages WHERE bot=? AND state='FAILED' AND received_at>=? ORDER BY id DESC "
                + "LIMIT 100", ps -> {
                    ps.setString(1, bot);
                    ps.setLong(2, since.toEpochMilli());
                });
    }

    /**
     * Records a question answered outside the platform path (the console, {@code botgate chat}, {@code /v1} bot
     * chats) once its answer is known, so every conversation shows up under Conversations. It is written finished
     * (ANSWERED or FAILED), so recovery at start never tries to deliver it to a platform.
     */
    public void recordFinished(String channel, String bot, String conversation, String sender, String question,
                               Instant askedAt, String answer, String policy, Optional<String> error) {
        record(channel, bot, java.util.UUID.randomUUID().toString(), conversation, sender, question, "{}",
                error.isPresent() ? State.FAILED : State.ANSWERED).ifPresent(id -> {
                    // When it was asked, not when it is written, so answer times on the dashboard are true.
                    update("UPDATE messages SET received_at=? WHERE id=?", askedAt.toEpochMilli(), id);
                    if (error.isPresent()) {
                        attemptFailed(id, error.get(), true);
                    } else {
                        answered(id, State.ANSWERED, answer, policy);
                    }
                });
    }

    /** One message by id. */
    public synchronized Optional<Entry> get(long id) {
        return query("SELECT * FROM messages WHERE id=?", ps -> ps.setLong(1, id)).stream().findFirst();
    }

    @Override
    public void close() {
        java.util.concurrent.CompletableFuture<Object> stopped = new java.util.concurrent.CompletableFuture<>();
        writes.add(new Write(null, stopped));
        stopped.join();
        closeConnection();
    }

    private synchronized void closeConnection() {
        try {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
            db.close();
        } catch (SQLException e) {
            throw new PipelineException("cannot close the message record: " + e.getMessage(), e);
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = db.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private void update(String sql, Object... args) {
        write(() -> {
            PreparedStatement ps = statement(sql);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Entry> query(String sql, Binder binder) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            binder.bind(ps);
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object answeredAt = rs.getObject("answered_at");
                    out.add(new Entry(rs.getLong("id"), rs.getString("channel"), rs.getString("bot"),
                            rs.getString("platform_id"), rs.getString("conversation"), rs.getString("sender"),
                            rs.getString("text"), rs.getString("reply_context"),
                            Instant.ofEpochMilli(rs.getLong("received_at")), State.valueOf(rs.getString("state")),
                            rs.getString("answer") == null ? "" : rs.getString("answer"),
                            rs.getString("policy") == null ? "" : rs.getString("policy"),
                            Optional.ofNullable(answeredAt)
                                    .map(a -> Instant.ofEpochMilli(((Number) a).longValue())), rs.getInt("attempts"),
                            rs.getString("last_error") == null ? "" : rs.getString("last_error")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new PipelineException("cannot read the message record: " + e.getMessage(), e);
        }
    }
}

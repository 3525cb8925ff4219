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
 * <p>Thread-safe: one connection, used under this object's lock (SQLite allows one writer anyway, and each statement
 * takes well under a millisecond).
 */
public final class MessageLog implements AutoCloseable {
    private final Connection db;
    private final Clock clock;
    /** Statements compiled once: under load, compiling each statement again took most of the lock's time. */
    private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();

    /** States a recorded message goes through. */
    public enum State { RECEIVED, ANSWERED, HELD, FAILED }

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
        } catch (java.io.IOException | SQLException e) {
            throw new PipelineException("cannot open the message record " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records a new message. Returns its id, or empty when (channel, bot, platformId) was already recorded: a retry.
     */
    public synchronized Optional<Long> record(String channel, String bot, String platformId, String conversation,
                                              String sender, String text, String replyContext) {
        String sql = "INSERT INTO messages (channel, bot, platform_id, conversation, sender, text, reply_context, "
                + "received_at, state) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (channel, bot, platform_id) DO NOTHING";
        try {
            PreparedStatement ps = statement(sql);
            ps.setString(1, channel);
            ps.setString(2, bot);
            ps.setString(3, platformId);
            ps.setString(4, conversation);
            ps.setString(5, sender);
            ps.setString(6, text);
            ps.setString(7, replyContext);
            ps.setLong(8, clock.millis());
            ps.setString(9, State.RECEIVED.name());
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
            try (ResultSet keys = statement("SELECT last_insert_rowid()").executeQuery()) {
                keys.next();
                return Optional.of(keys.getLong(1));
            }
        } catch (SQLException e) {
            throw new PipelineException("cannot record message: " + e.getMessage(), e);
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
    public synchronized void answered(long id, State state, String answer, String policy) {
        update("UPDATE messages SET state=?, answer=?, policy=?, answered_at=?, last_error=NULL WHERE id=?",
                state.name(), answer, policy, clock.millis(), id);
    }

    /** Keeps a computed answer before it is sent, so a failed send is retried without asking the model again. */
    public synchronized void answerReady(long id, String answer, String policy) {
        update("UPDATE messages SET answer=?, policy=? WHERE id=?", answer, policy, id);
    }

    /** Records a failed attempt; the message stays RECEIVED for a retry unless {@code giveUp}. */
    public synchronized void attemptFailed(long id, String reason, boolean giveUp) {
        update("UPDATE messages SET attempts=attempts+1, last_error=?, state=? WHERE id=?",
                reason, giveUp ? State.FAILED.name() : State.RECEIVED.name(), id);
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

    /** One message by id. */
    public synchronized Optional<Entry> get(long id) {
        return query("SELECT * FROM messages WHERE id=?", ps -> ps.setLong(1, id)).stream().findFirst();
    }

    @Override
    public synchronized void close() {
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
        try {
            PreparedStatement ps = statement(sql);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new PipelineException("cannot update the message record: " + e.getMessage(), e);
        }
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

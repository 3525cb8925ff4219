package dev.botgate.gateway.handoff;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Handoffs in SQLite, in the message record's database file (its own table and connection; the file is the message
 * record's, created private by it), so a handoff outlives a restart. Plain SQL that PostgreSQL also runs.
 * Thread-safe: every call holds this object's lock.
 */
public final class HandoffStore implements AutoCloseable {
    private final Connection db;

    /** Opens (creating the table if needed) the database at {@code file}. */
    public HandoffStore(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS handoffs (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          bot VARCHAR(128) NOT NULL,
                          conversation VARCHAR(512) NOT NULL,
                          channel VARCHAR(32) NOT NULL,
                          user_id VARCHAR(256) NOT NULL,
                          question TEXT NOT NULL,
                          reason VARCHAR(32) NOT NULL,
                          opened_at BIGINT NOT NULL,
                          last_agent_at BIGINT,
                          closed_at BIGINT,
                          closed_by VARCHAR(32))""");
                st.execute("CREATE INDEX IF NOT EXISTS handoffs_conversation ON handoffs(bot, conversation, id)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the handoff table in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Records a new open handoff. */
    public synchronized Handoff open(String bot, String conversation, String channel, String user, String question,
                                     String reason, Instant at) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO handoffs (bot, conversation, channel, user_id, "
                + "question, reason, opened_at) VALUES (?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, bot);
            ps.setString(2, conversation);
            ps.setString(3, channel);
            ps.setString(4, user);
            ps.setString(5, question);
            ps.setString(6, reason);
            ps.setLong(7, at.toEpochMilli());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return new Handoff(keys.getLong(1), bot, conversation, channel, user, question, reason, at,
                        Optional.empty(), Optional.empty(), "");
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Notes an agent's reply. */
    public synchronized void agentReplied(long id, Instant at) {
        update("UPDATE handoffs SET last_agent_at=? WHERE id=?", at.toEpochMilli(), id);
    }

    /** Closes a handoff; false when it was already closed. */
    public synchronized boolean close(long id, String by, Instant at) {
        return update("UPDATE handoffs SET closed_at=?, closed_by=? WHERE id=? AND closed_at IS NULL",
                at.toEpochMilli(), by, id) > 0;
    }

    /** Open handoffs, oldest first. */
    public synchronized List<Handoff> open() {
        return query("SELECT * FROM handoffs WHERE closed_at IS NULL ORDER BY opened_at, id", null);
    }

    /** A handoff by id. */
    public synchronized Optional<Handoff> get(long id) {
        return query("SELECT * FROM handoffs WHERE id=?", id).stream().findFirst();
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private List<Handoff> query(String sql, Long id) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            if (id != null) {
                ps.setLong(1, id);
            }
            List<Handoff> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Handoff(rs.getLong("id"), rs.getString("bot"), rs.getString("conversation"),
                            rs.getString("channel"), rs.getString("user_id"), rs.getString("question"),
                            rs.getString("reason"), Instant.ofEpochMilli(rs.getLong("opened_at")),
                            instant(rs, "last_agent_at"), instant(rs, "closed_at"),
                            rs.getString("closed_by") == null ? "" : rs.getString("closed_by")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        Object v = rs.getObject(column);
        return v == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(((Number) v).longValue()));
    }

    private static IllegalStateException failure(SQLException e) {
        return new IllegalStateException("cannot use the handoff table: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failure(e);
        }
    }
}

package dev.botgate.gateway.pipeline;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;

/**
 * Durable positions of pulled feeds (the 微信客服 {@code sync_msg} cursor per account), in the message record's SQLite
 * file beside the messages they follow: a cursor is saved only after its page's messages were recorded, so a restart
 * resumes where the record ends, neither replaying nor skipping. Its own small table and connection; the schema is
 * plain SQL that PostgreSQL also runs. Thread-safe.
 */
public final class FeedCursors implements AutoCloseable {
    private final Connection db;
    private final Clock clock;

    /** Opens (and creates) the table in the record's file. */
    public FeedCursors(Path file, Clock clock) {
        this.clock = clock;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS feed_cursors (
                          channel VARCHAR(32) NOT NULL,
                          bot VARCHAR(128) NOT NULL,
                          feed VARCHAR(256) NOT NULL,
                          position TEXT NOT NULL,
                          updated_at BIGINT NOT NULL,
                          PRIMARY KEY (channel, bot, feed))""");
            }
        } catch (SQLException e) {
            throw new PipelineException("cannot open the feed cursors in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The saved position of a bot's feed. */
    public synchronized Optional<String> get(String channel, String bot, String feed) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT position FROM feed_cursors WHERE channel=? AND bot=? AND feed=?")) {
            ps.setString(1, channel);
            ps.setString(2, bot);
            ps.setString(3, feed);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new PipelineException("cannot read a feed cursor: " + e.getMessage(), e);
        }
    }

    /** Saves a position; committed when this returns. */
    public synchronized void put(String channel, String bot, String feed, String position) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO feed_cursors (channel, bot, feed, position, "
                + "updated_at) VALUES (?,?,?,?,?) ON CONFLICT (channel, bot, feed) DO UPDATE SET "
                + "position=excluded.position, updated_at=excluded.updated_at")) {
            ps.setString(1, channel);
            ps.setString(2, bot);
            ps.setString(3, feed);
            ps.setString(4, position);
            ps.setLong(5, clock.millis());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new PipelineException("cannot save a feed cursor: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new PipelineException("cannot close the feed cursors: " + e.getMessage(), e);
        }
    }
}

package dev.botgate.gateway.review;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * The review queue and the operators' ratings in SQLite, in the message record's database file (own tables, own
 * connection). Plain SQL that PostgreSQL also runs. Thread-safe: every call holds this object's lock.
 */
public final class ReviewStore implements AutoCloseable {
    private final Connection db;

    /** A group's id, its question and that question's embedding, for grouping new questions. */
    record GroupVector(long id, String question, float[] vector) {
    }

    public ReviewStore(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS review_groups (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          bot VARCHAR(128) NOT NULL,
                          question TEXT NOT NULL,
                          vector BLOB,
                          status VARCHAR(16) NOT NULL,
                          created_at BIGINT NOT NULL,
                          updated_at BIGINT NOT NULL,
                          resolution TEXT,
                          resolved_at BIGINT)""");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS review_items (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          group_id BIGINT NOT NULL,
                          bot VARCHAR(128) NOT NULL,
                          conversation VARCHAR(512) NOT NULL,
                          reason VARCHAR(32) NOT NULL,
                          question TEXT NOT NULL,
                          answer TEXT NOT NULL,
                          message_id BIGINT NOT NULL,
                          created_at BIGINT NOT NULL)""");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS message_ratings (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          message_id BIGINT NOT NULL,
                          rating VARCHAR(8) NOT NULL,
                          created_at BIGINT NOT NULL)""");
                st.execute("CREATE INDEX IF NOT EXISTS review_groups_status ON review_groups(status, bot)");
                st.execute("CREATE INDEX IF NOT EXISTS review_items_group ON review_items(group_id)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the review tables in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Open groups of a bot with their question vectors. */
    synchronized List<GroupVector> openGroups(String bot) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT id, question, vector FROM review_groups WHERE status='open' AND bot=? ORDER BY id")) {
            ps.setString(1, bot);
            List<GroupVector> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] v = rs.getBytes("vector");
                    out.add(new GroupVector(rs.getLong("id"), rs.getString("question"), v == null ? null : unpack(v)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized long newGroup(String bot, String question, float[] vector, Instant at) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO review_groups (bot, question, vector, status, "
                + "created_at, updated_at) VALUES (?,?,?,'open',?,?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, bot);
            ps.setString(2, question);
            ps.setBytes(3, vector == null ? null : pack(vector));
            ps.setLong(4, at.toEpochMilli());
            ps.setLong(5, at.toEpochMilli());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized void addItem(long group, String bot, String conversation, String reason, String question,
                              String answer, long messageId, Instant at) {
        update("INSERT INTO review_items (group_id, bot, conversation, reason, question, answer, message_id, "
                + "created_at) VALUES (?,?,?,?,?,?,?,?)", group, bot, conversation, reason, question, answer,
                messageId, at.toEpochMilli());
        update("UPDATE review_groups SET updated_at=? WHERE id=?", at.toEpochMilli(), group);
    }

    /** Groups in a status, oldest first. */
    synchronized List<ReviewGroup> groups(String status, int limit) {
        List<ReviewGroup> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT * FROM review_groups WHERE status=? ORDER BY created_at, id LIMIT ?")) {
            ps.setString(1, status);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(group(rs));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return out.stream().map(g -> new ReviewGroup(g.id(), g.bot(), g.question(), g.status(), g.createdAt(),
                g.updatedAt(), items(g.id()), g.resolution(), g.resolvedAt())).toList();
    }

    synchronized Optional<ReviewGroup> group(long id) {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM review_groups WHERE id=?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                ReviewGroup g = group(rs);
                return Optional.of(new ReviewGroup(g.id(), g.bot(), g.question(), g.status(), g.createdAt(),
                        g.updatedAt(), items(id), g.resolution(), g.resolvedAt()));
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Marks a group resolved or dismissed; false when it was no longer open. */
    synchronized boolean resolve(long id, String status, String resolution, Instant at) {
        return update("UPDATE review_groups SET status=?, resolution=?, resolved_at=? WHERE id=? AND status='open'",
                status, resolution, at.toEpochMilli(), id) > 0;
    }

    synchronized void rating(long messageId, String rating, Instant at) {
        update("INSERT INTO message_ratings (message_id, rating, created_at) VALUES (?,?,?)", messageId, rating,
                at.toEpochMilli());
    }

    private List<ReviewItem> items(long group) {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM review_items WHERE group_id=? ORDER BY id")) {
            ps.setLong(1, group);
            List<ReviewItem> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReviewItem(rs.getLong("id"), group, rs.getString("bot"), rs.getString("conversation"),
                            rs.getString("reason"), rs.getString("question"), rs.getString("answer"),
                            rs.getLong("message_id"), Instant.ofEpochMilli(rs.getLong("created_at"))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static ReviewGroup group(ResultSet rs) throws SQLException {
        Object resolvedAt = rs.getObject("resolved_at");
        return new ReviewGroup(rs.getLong("id"), rs.getString("bot"), rs.getString("question"),
                rs.getString("status"), Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")), List.of(),
                rs.getString("resolution") == null ? "" : rs.getString("resolution"),
                Optional.ofNullable(resolvedAt).map(v -> Instant.ofEpochMilli(((Number) v).longValue())));
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

    private static byte[] pack(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static float[] unpack(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static IllegalStateException failure(SQLException e) {
        return new IllegalStateException("cannot use the review tables: " + e.getMessage(), e);
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

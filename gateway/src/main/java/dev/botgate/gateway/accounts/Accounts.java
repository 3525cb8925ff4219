package dev.botgate.gateway.accounts;

import dev.botgate.gateway.DataDirectory;
import dev.botgate.gateway.http.ApiKeys;
import dev.botgate.gateway.http.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Console users, their sessions and their own API keys, in SQLite ({@code accounts.db} in the data directory, 0600).
 * Only hashes are stored: Argon2id for passwords, SHA-256 for session tokens and keys (both are 256 random bits, so
 * a fast hash is enough), so a copied database signs nobody in.
 *
 * <p>Thread-safe: one connection under this object's lock; sign-in load is small.
 */
public final class Accounts implements AutoCloseable {
    /** How long a session lasts after sign-in. */
    public static final Duration SESSION_LIFETIME = Duration.ofDays(7);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 1024;
    private final Connection db;
    private final Clock clock;
    private final PasswordHasher hasher = new PasswordHasher();
    private final SignInLimiter limiter;
    private final SecureRandom random = new SecureRandom();
    /** The user keys as ApiKeys reads them on each request: cached, refreshed on every change. */
    private volatile List<ApiKeys.Key> keyCache = List.of();

    /** A user as the API shows it. */
    public record User(String username, Role role, Instant createdAt, Optional<Instant> lastSignIn) {
    }

    /** A signed-in session: who, and the CSRF token its state-changing requests must carry. */
    public record Session(String username, Role role, String csrf, Instant expiresAt) {
    }

    /** A started session: the cookie value (shown once) and the session. */
    public record SignIn(String token, Session session) {
    }

    /** One of a user's API keys, without the key itself. */
    public record OwnKey(long id, String name, ApiKeys.Scope scope, Instant createdAt) {
    }

    /** A new key: the only time its value is shown. */
    public record NewKey(OwnKey key, String value) {
    }

    public Accounts(Path file, Clock clock) {
        this.clock = clock;
        this.limiter = new SignInLimiter(clock);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            DataDirectory.createPrivateFile(file.toAbsolutePath());
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS users (
                          username VARCHAR(64) PRIMARY KEY,
                          password_hash VARCHAR(256) NOT NULL,
                          role VARCHAR(16) NOT NULL,
                          created_at BIGINT NOT NULL,
                          last_sign_in BIGINT)""");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS sessions (
                          token_hash VARCHAR(80) PRIMARY KEY,
                          username VARCHAR(64) NOT NULL,
                          csrf VARCHAR(64) NOT NULL,
                          expires_at BIGINT NOT NULL)""");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS user_keys (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          username VARCHAR(64) NOT NULL,
                          name VARCHAR(128) NOT NULL,
                          scope VARCHAR(16) NOT NULL,
                          key_hash VARCHAR(80) NOT NULL,
                          created_at BIGINT NOT NULL)""");
            }
            refreshKeys();
        } catch (java.io.IOException | java.io.UncheckedIOException | SQLException e) {
            throw new IllegalStateException("cannot open the accounts database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether no user exists yet: the first visit creates the admin. */
    public synchronized boolean setupNeeded() {
        return query(() -> {
            try (ResultSet rs = db.createStatement().executeQuery("SELECT COUNT(*) FROM users")) {
                return rs.next() && rs.getLong(1) == 0;
            }
        });
    }

    /**
     * Creates the first admin.
     *
     * @throws BadRequestException 409 once any user exists; 400 for a bad name or password
     */
    public synchronized User setup(String username, String password) {
        if (!setupNeeded()) {
            throw new BadRequestException(409, "setup is done: an admin exists already; sign in instead");
        }
        return create(username, password, Role.ADMIN);
    }

    /** Adds a user; 409 when the name is taken. */
    public synchronized User create(String username, String password, Role role) {
        checkName(username);
        checkPassword(password);
        if (find(username).isPresent()) {
            throw new BadRequestException(409, "user '" + username + "' exists already");
        }
        Instant now = clock.instant();
        update("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                username, hasher.hash(password), role.label(), now.toEpochMilli());
        return new User(username, role, now, Optional.empty());
    }

    /**
     * Signs in: a new session, or 401 for a wrong name or password (the same answer for both), or 429 while the
     * name or the address has failed too often.
     */
    public SignIn signIn(String username, String password, String address) {
        Optional<Duration> wait = limiter.blocked(username, address);
        if (wait.isPresent()) {
            throw new RateLimited(wait.get());
        }
        Optional<String[]> row;
        synchronized (this) {
            row = find(username);
        }
        // Hash outside the lock: sign-ins in parallel should not queue behind each other's 50 ms.
        boolean ok = row.isPresent() ? hasher.matches(password, row.get()[1]) : burn(password);
        if (!ok) {
            limiter.failed(username, address);
            throw new BadRequestException(401, "wrong user name or password");
        }
        limiter.succeeded(username);
        String token = randomHex(32);
        String csrf = randomHex(32);
        Instant now = clock.instant();
        Instant expires = now.plus(SESSION_LIFETIME);
        synchronized (this) {
            update("DELETE FROM sessions WHERE expires_at < ?", now.toEpochMilli());
            update("INSERT INTO sessions (token_hash, username, csrf, expires_at) VALUES (?, ?, ?, ?)",
                    ApiKeys.hash(token), username, csrf, expires.toEpochMilli());
            update("UPDATE users SET last_sign_in = ? WHERE username = ?", now.toEpochMilli(), username);
        }
        return new SignIn(token, new Session(username, Role.parse(row.get()[2]).orElse(Role.VIEWER), csrf, expires));
    }

    private boolean burn(String password) {
        hasher.burn(password);
        return false;
    }

    /** The live session a cookie names, if any. */
    public synchronized Optional<Session> session(String token) {
        if (token.isEmpty() || token.length() > 128) {
            return Optional.empty();
        }
        return query(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT s.username, u.role, s.csrf, s.expires_at FROM "
                    + "sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?")) {
                ps.setString(1, ApiKeys.hash(token));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(4) < clock.millis()) {
                        return Optional.<Session>empty();
                    }
                    return Optional.of(new Session(rs.getString(1), Role.parse(rs.getString(2)).orElse(Role.VIEWER),
                            rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
        });
    }

    /** Ends a session; unknown tokens are ignored. */
    public synchronized void signOut(String token) {
        update("DELETE FROM sessions WHERE token_hash = ?", ApiKeys.hash(token));
    }

    public synchronized List<User> users() {
        return query(() -> {
            List<User> out = new ArrayList<>();
            try (ResultSet rs = db.createStatement().executeQuery(
                    "SELECT username, role, created_at, last_sign_in FROM users ORDER BY username")) {
                while (rs.next()) {
                    long last = rs.getLong(4);
                    out.add(new User(rs.getString(1), Role.parse(rs.getString(2)).orElse(Role.VIEWER),
                            Instant.ofEpochMilli(rs.getLong(3)),
                            rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last))));
                }
            }
            return out;
        });
    }

    /**
     * Changes a user's role and/or password. Lowering a role drops the user's keys above the new role, and a new
     * password ends the user's sessions. The last admin cannot be demoted.
     */
    public synchronized void change(String username, Optional<Role> role, Optional<String> password) {
        Role current = roleOf(username);
        password.ifPresent(this::checkPassword);
        if (role.isPresent() && current == Role.ADMIN && role.get() != Role.ADMIN && admins() == 1) {
            throw new BadRequestException(409, "'" + username + "' is the last admin; make another user admin first");
        }
        role.ifPresent(r -> {
            update("UPDATE users SET role = ? WHERE username = ?", r.label(), username);
            if (r != Role.ADMIN) {
                update("DELETE FROM user_keys WHERE username = ? AND scope = 'admin'", username);
            }
        });
        password.ifPresent(p -> {
            update("UPDATE users SET password_hash = ? WHERE username = ?", hasher.hash(p), username);
            update("DELETE FROM sessions WHERE username = ?", username);
        });
        refreshKeys();
    }

    /** Deletes a user, their sessions and keys; the last admin cannot be deleted. */
    public synchronized void delete(String username) {
        if (roleOf(username) == Role.ADMIN && admins() == 1) {
            throw new BadRequestException(409, "'" + username + "' is the last admin and cannot be deleted");
        }
        update("DELETE FROM sessions WHERE username = ?", username);
        update("DELETE FROM user_keys WHERE username = ?", username);
        update("DELETE FROM users WHERE username = ?", username);
        refreshKeys();
    }

    /** Creates an API key for a user, never wider than the user's role allows (403). */
    public synchronized NewKey createKey(String username, String name, ApiKeys.Scope scope) {
        Role role = roleOf(username);
        if (scope == ApiKeys.Scope.ADMIN && role.widestScope() != ApiKeys.Scope.ADMIN) {
            throw new BadRequestException(403, "a " + role.label() + " may create keys with scope 'use' only");
        }
        if (name.length() > 128) {
            throw new BadRequestException("name: at most 128 characters");
        }
        String value = "bg-" + randomHex(24);
        Instant now = clock.instant();
        update("INSERT INTO user_keys (username, name, scope, key_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                username, name, scope.label(), ApiKeys.hash(value), now.toEpochMilli());
        long id = query(() -> {
            try (ResultSet rs = db.createStatement().executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                return rs.getLong(1);
            }
        });
        refreshKeys();
        return new NewKey(new OwnKey(id, name, scope, now), value);
    }

    public synchronized List<OwnKey> keys(String username) {
        return query(() -> {
            List<OwnKey> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT id, name, scope, created_at FROM user_keys WHERE username = ? ORDER BY id")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OwnKey(rs.getLong(1), rs.getString(2), scope(rs.getString(3)),
                                Instant.ofEpochMilli(rs.getLong(4))));
                    }
                }
            }
            return out;
        });
    }

    /** Deletes one of the user's keys; 404 when the user has no such key. */
    public synchronized void deleteKey(String username, long id) {
        int n = update("DELETE FROM user_keys WHERE username = ? AND id = ?", username, id);
        if (n == 0) {
            throw new BadRequestException(404, "you have no key " + id);
        }
        refreshKeys();
    }

    /** Every user key, for {@link ApiKeys}; read on each request, so it is served from memory. */
    public List<ApiKeys.Key> apiKeys() {
        return keyCache;
    }

    private void refreshKeys() {
        keyCache = query(() -> {
            List<ApiKeys.Key> out = new ArrayList<>();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT scope, key_hash FROM user_keys")) {
                while (rs.next()) {
                    ApiKeys.Key.parse(rs.getString(1) + ":" + rs.getString(2)).ifPresent(out::add);
                }
            }
            return List.copyOf(out);
        });
    }

    private static ApiKeys.Scope scope(String label) {
        return "admin".equals(label) ? ApiKeys.Scope.ADMIN : ApiKeys.Scope.USE;
    }

    private Role roleOf(String username) {
        return find(username).flatMap(r -> Role.parse(r[2]))
                .orElseThrow(() -> new BadRequestException(404, "no user '" + username + "'"));
    }

    private long admins() {
        return query(() -> {
            try (ResultSet rs = db.createStatement().executeQuery("SELECT COUNT(*) FROM users WHERE role = 'admin'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** {username, password_hash, role} */
    private Optional<String[]> find(String username) {
        return query(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT username, password_hash, role FROM users WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                            : Optional.<String[]>empty();
                }
            }
        });
    }

    private static void checkName(String username) {
        if (!USERNAME.matcher(username).matches()) {
            throw new BadRequestException("username: 1-64 letters, digits, '.', '_', '@' or '-'");
        }
    }

    private void checkPassword(String password) {
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new BadRequestException("password: at least " + MIN_PASSWORD + " characters (at most "
                    + MAX_PASSWORD + ")");
        }
    }

    private String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private interface Query<T> {
        T run() throws SQLException;
    }

    private <T> T query(Query<T> q) {
        try {
            return q.run();
        } catch (SQLException e) {
            throw new IllegalStateException("accounts database: " + e.getMessage(), e);
        }
    }

    private int update(String sql, Object... args) {
        return query(() -> {
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing at shutdown: nothing left to do
        }
    }

    /** Too many failed sign-ins: try again after {@code retryAfter}. */
    public static final class RateLimited extends BadRequestException {
        private final Duration retryAfter;

        RateLimited(Duration retryAfter) {
            super(429, "too many failed sign-ins; try again in " + Math.max(1, retryAfter.toSeconds()) + " s");
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}

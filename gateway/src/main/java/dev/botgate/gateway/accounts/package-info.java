/**
 * Console accounts: users with roles, Argon2id password hashes, sign-in sessions with CSRF tokens, sign-in rate
 * limits and each user's own API keys, kept in SQLite under the data directory ({@code accounts.db}, mode 0600).
 */
package dev.botgate.gateway.accounts;

/**
 * Sending to platform APIs, shared by the platform rooms: an HTTP client with retries and backoff that honours 429
 * Retry-After ({@link dev.botgate.adapters.delivery.ApiClient}), cached access tokens fetched once under concurrency
 * ({@link dev.botgate.adapters.delivery.AccessTokenCache}), splitting text to a platform's limit at sentence
 * boundaries ({@link dev.botgate.adapters.delivery.TextSplitter}), rate-limited message edits for streamed answers
 * ({@link dev.botgate.adapters.delivery.ThrottledReplyStream}) and the adapter's health record.
 *
 * <p>Nothing in this package is {@code null}. Nothing here logs or throws a secret: URLs with tokens in their query
 * are never put into messages.
 */
package dev.botgate.adapters.delivery;

/**
 * Slack Events API: v0 request signatures, {@code url_verification}, {@code app_mention} in channels and
 * {@code message} in DMs, answers in the thread through {@code chat.postMessage} and streamed with
 * {@code chat.update}. Entry types: {@link dev.botgate.adapters.slack.SlackAdapter} and
 * {@link dev.botgate.adapters.slack.SlackConfig}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.slack;

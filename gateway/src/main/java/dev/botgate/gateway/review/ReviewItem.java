package dev.botgate.gateway.review;

import java.time.Instant;

/**
 * One question that needs a person's eye.
 *
 * @param id           the item's number
 * @param group        the group of similar questions it joined
 * @param bot          the bot that was asked
 * @param conversation the conversation key
 * @param reason       {@code fallback}, {@code thumbs-down} or {@code handoff}
 * @param question     what the user asked
 * @param answer       what the bot answered (empty for a fallback's fixed text)
 * @param messageId    the message record's id, 0 when not known
 * @param createdAt    when it was queued
 */
public record ReviewItem(long id, long group, String bot, String conversation, String reason, String question,
                         String answer, long messageId, Instant createdAt) {
}

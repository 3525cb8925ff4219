package dev.botgate.gateway.review;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Similar questions to one bot, resolved together.
 *
 * @param id         the group's number (the id in {@code /admin/review/{id}/resolve})
 * @param bot        the bot that was asked
 * @param question   the first question, which names the group
 * @param status     {@code open}, {@code resolved} or {@code dismissed}
 * @param createdAt  when the first question came
 * @param updatedAt  when the last question came
 * @param items      the questions, oldest first
 * @param resolution what the operator did, as JSON; empty while open
 * @param resolvedAt when it was resolved
 */
public record ReviewGroup(long id, String bot, String question, String status, Instant createdAt, Instant updatedAt,
                          List<ReviewItem> items, String resolution, Optional<Instant> resolvedAt) {
    public ReviewGroup {
        items = List.copyOf(items);
    }
}

package dev.botgate.adapters;

import java.time.Duration;
import java.util.Objects;

/** How the gateway acknowledges an accepted inbound message. */
public sealed interface Ack {

    /**
     * Write this response at once (after recording the message) and answer later through
     * {@link ChannelAdapter#send} or {@link ChannelAdapter#open}.
     *
     * @param response the acknowledgement (WeCom: empty 200; Slack: 200; Feishu: 200 {@code {}}; verified Official
     *                 Account: {@code success})
     */
    record Now(HttpReply response) implements Ack {
        /** Validates. */
        public Now {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * The platform can only be answered inside the callback's own response (unverified Official Account). The
     * gateway holds the request open up to {@code holdFor} and, when the answer is ready, responds with
     * {@link ChannelAdapter#passiveReply}. The platform re-delivers the same message (same
     * {@link InboundMessage#messageId()}) when a delivery is not answered within its deadline, {@code deliveries}
     * times in all; a re-delivery joins the answer in progress. If the answer is not ready when a held delivery runs
     * out, the gateway lets that delivery lapse (responding {@code release} after the platform has given up on it)
     * unless it is the last one, which it answers passively with a short note.
     *
     * @param holdFor       how long one delivery may be held (under the platform's 5 s deadline)
     * @param deliveries    how many deliveries the platform makes in all (WeChat: 3)
     * @param maxReplyBytes the most UTF-8 bytes of text one passive reply carries; split longer answers
     * @param release       a response that ends a delivery without showing the user anything
     */
    record Hold(Duration holdFor, int deliveries, int maxReplyBytes, HttpReply release) implements Ack {
        /** Validates. */
        public Hold {
            Objects.requireNonNull(holdFor, "holdFor");
            Objects.requireNonNull(release, "release");
            if (deliveries < 1 || maxReplyBytes < 1) {
                throw new IllegalArgumentException("deliveries and maxReplyBytes must be positive");
            }
        }
    }
}

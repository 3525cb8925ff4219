package dev.botgate.adapters;

import java.util.Objects;
import java.util.Optional;

/** What {@link ChannelAdapter#handle(CallbackRequest)} decided about one callback. */
public sealed interface CallbackResult {

    /**
     * Answer the callback with this response and do nothing else: URL verification and challenges, events the bot
     * ignores (its own messages, group chatter it was not mentioned in), and refusals (401 bad signature, 400
     * malformed, 403 timestamp outside the window).
     *
     * @param response the response to write
     * @param reason   a short log-safe reason, e.g. {@code "url verification"}, {@code "bad signature"},
     *                 {@code "ignored: bot message"}
     */
    record Reply(HttpReply response, String reason) implements CallbackResult {
        /** Validates. */
        public Reply {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(reason, "reason");
        }

        /** True for 4xx/5xx refusals. */
        public boolean refused() {
            return response.status() >= 400;
        }

        /** A refusal: the status with {@code {"error": reason}}, the reason also logged. */
        public static Reply refuse(int status, String reason) {
            return new Reply(HttpReply.error(status, reason), reason);
        }

        /** A value the platform sent, cut to 40 characters for quoting in a reason, so a log line stays short. */
        public static String clip(String platformValue) {
            return platformValue.length() > 40 ? platformValue.substring(0, 40) : platformValue;
        }

        /**
         * The refusal for a WeChat-family {@code timestamp} query parameter (epoch seconds) that is not a number (400)
         * or lies outside the options' signature window (403); empty when it is acceptable.
         */
        public static Optional<Reply> staleTimestamp(String timestamp, AdapterOptions options) {
            long ts;
            try {
                ts = Long.parseLong(timestamp);
            } catch (NumberFormatException e) {
                return Optional.of(refuse(400, "timestamp is not a number"));
            }
            if (!options.withinSignatureWindow(ts)) {
                return Optional.of(refuse(403, "timestamp outside the " + options.signatureWindow().toMinutes()
                        + " minute window: check this server's clock"));
            }
            return Optional.empty();
        }
    }

    /**
     * A message to answer.
     *
     * @param message the decoded message
     * @param ack     how to acknowledge it
     */
    record Inbound(InboundMessage message, Ack ack) implements CallbackResult {
        /** Validates. */
        public Inbound {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(ack, "ack");
        }
    }
}

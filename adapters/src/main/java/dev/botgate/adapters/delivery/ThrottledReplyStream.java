package dev.botgate.adapters.delivery;

import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.Sleeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A streamed answer on a platform that can edit messages: the first non-blank update posts a message, later updates
 * edit it no more often than {@code minInterval} (updates in between are folded into the next due one), and
 * {@link #finish} waits out the interval and writes the final text. A finish before any update sends one plain
 * message instead.
 */
public final class ThrottledReplyStream implements ReplyStream {

    /** The platform calls a stream needs. */
    public interface Target {
        /** Posts the first message and returns its handle (Slack ts, Feishu message_id). */
        String post(String textSoFar);

        /** Replaces the message's text. */
        void edit(String handle, String textSoFar);

        /** Writes the final answer into the message (and follow-ups when it is too long for one). */
        void finish(String handle, OutboundText text);

        /** Sends the answer as ordinary message(s) when nothing was posted yet. */
        void sendWhole(OutboundText text);
    }

    private final Target target;
    private final Duration minInterval;
    private final Clock clock;
    private final Sleeper sleeper;

    private Optional<String> handle = Optional.empty();
    private Instant lastWrite = Instant.MIN;
    private String lastText = "";
    private boolean finished;

    /**
     * @param target      the platform calls
     * @param minInterval the least time between two writes to the message
     * @param clock       time source
     * @param sleeper     waits before the final edit
     */
    public ThrottledReplyStream(Target target, Duration minInterval, Clock clock, Sleeper sleeper) {
        this.target = target;
        this.minInterval = minInterval;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public synchronized void update(String textSoFar) {
        if (finished || textSoFar.isBlank() || textSoFar.equals(lastText)) {
            return;
        }
        Instant now = clock.instant();
        if (handle.isEmpty()) {
            handle = Optional.of(target.post(textSoFar));
        } else if (!now.isBefore(lastWrite.plus(minInterval))) {
            target.edit(handle.get(), textSoFar);
        } else {
            return; // folded into the next due update or the finish
        }
        lastWrite = now;
        lastText = textSoFar;
    }

    @Override
    public synchronized void finish(OutboundText text) {
        if (finished) {
            throw new IllegalStateException("stream already finished");
        }
        finished = true;
        if (handle.isEmpty()) {
            target.sendWhole(text);
            return;
        }
        Duration wait = Duration.between(clock.instant(), lastWrite.plus(minInterval));
        if (!wait.isNegative() && !wait.isZero()) {
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SendException.transientFailure("interrupted before the final edit of a streamed answer");
            }
        }
        target.finish(handle.get(), text);
    }

    /** A stream for platforms that cannot edit: nothing until finish, then one send. */
    public static ReplyStream sendOnFinish(java.util.function.Consumer<OutboundText> send) {
        return new ReplyStream() {
            private boolean done;

            @Override
            public void update(String textSoFar) {
            }

            @Override
            public synchronized void finish(OutboundText text) {
                if (done) {
                    throw new IllegalStateException("stream already finished");
                }
                done = true;
                send.accept(text);
            }
        };
    }
}

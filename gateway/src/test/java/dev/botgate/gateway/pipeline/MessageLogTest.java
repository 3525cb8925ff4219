package dev.botgate.gateway.pipeline;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;

public class MessageLogTest {
    @Test
    public void retryOfSameMessageIsRecognisedEvenAfterReopen() throws Exception {
        Path file = Files.createTempDirectory("log").resolve("messages.db");
        try (MessageLog log = new MessageLog(file, Clock.systemUTC())) {
            assertTrue(log.record("wecom", "support", "msg-1", "c1", "u1", "你好", "{}").isPresent(),
                    "first delivery must be recorded");
            assertTrue(log.record("wecom", "support", "msg-1", "c1", "u1", "你好", "{}").isEmpty(),
                    "second delivery of the same id must be refused as a retry");
        }
        try (MessageLog log = new MessageLog(file, Clock.systemUTC())) {
            assertTrue(log.seen("wecom", "support", "msg-1", Duration.ofHours(8)), "retry after restart must be seen");
            assertFalse(log.seen("wecom", "support", "msg-2", Duration.ofHours(8)));
            assertTrue(log.record("slack", "support", "msg-1", "c1", "u1", "hi", "{}").isPresent(),
                    "the same id on another channel is a different message");
        }
    }

    @Test
    public void unansweredMessagesSurviveRestartUntilAnswered() throws Exception {
        Path file = Files.createTempDirectory("log").resolve("messages.db");
        long id;
        try (MessageLog log = new MessageLog(file, Clock.systemUTC())) {
            id = log.record("wecom", "b", "m1", "c", "u", "q1", "{\"user\":\"u\"}").orElseThrow();
            long other = log.record("wecom", "b", "m2", "c", "u", "q2", "{}").orElseThrow();
            log.answered(other, MessageLog.State.ANSWERED, "a2", "direct");
        }
        try (MessageLog log = new MessageLog(file, Clock.systemUTC())) {
            var pending = log.unanswered();
            assertEquals(pending.size(), 1, "exactly the unanswered message is pending after restart");
            assertEquals(pending.getFirst().id(), id);
            assertEquals(pending.getFirst().replyContext(), "{\"user\":\"u\"}");
            log.attemptFailed(id, "timeout", false);
            assertEquals(log.unanswered().getFirst().attempts(), 1);
            log.attemptFailed(id, "gave up", true);
            assertTrue(log.unanswered().isEmpty(), "a message given up on is no longer pending");
            assertEquals(log.get(id).orElseThrow().state(), MessageLog.State.FAILED);
            assertEquals(log.get(id).orElseThrow().lastError(), "gave up");
            assertEquals(log.recent(Optional.of("c"), 10).size(), 2);
        }
    }

    @Test
    public void heldAnswersAreListedPerConversation() throws Exception {
        Path file = Files.createTempDirectory("log").resolve("messages.db");
        try (MessageLog log = new MessageLog(file, Clock.systemUTC())) {
            long a = log.record("wechat", "oa", "1", "open-1", "open-1", "q", "{}").orElseThrow();
            log.record("wechat", "oa", "2", "open-2", "open-2", "q", "{}").orElseThrow();
            log.answered(a, MessageLog.State.HELD, "late answer", "model");
            assertEquals(log.held("wechat", "oa", "open-1").size(), 1);
            assertEquals(log.held("wechat", "oa", "open-1").getFirst().answer(), "late answer");
            assertTrue(log.held("wechat", "oa", "open-2").isEmpty());
        }
    }
}

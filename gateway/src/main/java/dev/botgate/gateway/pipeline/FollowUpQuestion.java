package dev.botgate.gateway.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * Reads a question against the conversation: a short or referring follow-up ("那运费呢？", "要多久？", "what about
 * invoices?") means little alone, so it is searched together with the topic of the question before it.
 */
final class FollowUpQuestion {
    /** A question of at most this many letters or digits is short (Chinese characters count one each). */
    static final int SHORT = 6;
    private static final List<String> REFERRING_STARTS = List.of("那", "那么", "还有", "另外", "这个", "那个", "它",
            "他们", "其他", "如果是", "换成");
    private static final List<String> ENGLISH_STARTS = List.of("what about", "how about", "and ", "also ", "then ");

    private FollowUpQuestion() {
    }

    /** Whether {@code question} needs the previous topic: short, or starting or ending like a reference back. */
    static boolean isFollowUp(String question) {
        String q = question.strip();
        String lower = q.toLowerCase(Locale.ROOT);
        if (ENGLISH_STARTS.stream().anyMatch(lower::startsWith)) {
            return true;
        }
        int letters = (int) q.codePoints().filter(Character::isLetterOrDigit).count();
        boolean latin = q.codePoints().filter(Character::isLetter).allMatch(c -> c < 0x2E80);
        if (latin) {
            return q.split("\\s+").length <= 2;
        }
        String bare = q.replaceAll("[\\p{P}\\s]+$", "");
        return letters <= SHORT || REFERRING_STARTS.stream().anyMatch(q::startsWith)
                || (bare.endsWith("呢") && letters <= 12);
    }

    /** The query to search: the question alone, or the topic and the question when it is a follow-up. */
    static String query(String topic, String question) {
        if (topic.isEmpty() || !isFollowUp(question)) {
            return question;
        }
        return topic.strip() + " " + question.strip();
    }
}

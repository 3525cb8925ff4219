package dev.botgate.bench.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.knowledge.index.Upload;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A knowledge-only bot as customers meet it: a real server ({@link ServedKnowledge}), a local bot over the 云杉 FAQ at
 * a given answer mode, every question asked through {@code POST /v1/chat/completions} in its own conversation.
 *
 * <ul>
 *   <li>Single questions (the 100 visible queries): precision of the answers given, coverage (right answers /
 *       covered questions), clarifying menus and whether picking from them resolves the question (the pick is sent,
 *       and its answer checked), out-of-scope questions answered.</li>
 *   <li>Follow-ups: the two-turn dialogues in {@code dialogues/faq-yunshan-followups.jsonl} (written for this
 *       measurement and never tuned on): the second turn in the same conversation, and the same second turn alone
 *       in a fresh conversation.</li>
 * </ul>
 * <pre>
 * bench/run dev.botgate.bench.knowledge.DialogueBench ../shared/data [strict|balanced|helpful]
 * </pre>
 */
public final class DialogueBench {
    private static final String FALLBACK = "FALLBACK";

    private DialogueBench() {
    }

    /** What one conversation turn gave. */
    enum Outcome { RIGHT, MENU_RESOLVED, MENU_MISSED, WRONG, FALLBACK }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DialogueBench DATA_DIR [answer-mode]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).resolve("faq-yunshan");
        String mode = args.length > 1 ? args[1] : "balanced";
        if (!Files.exists(dir.resolve("faq.csv"))) {
            System.out.println(dir + " missing: skipped");
            return;
        }
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(dir.resolve("faq.csv"))) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                questions.add(rec.get(0).strip());
                answers.add(rec.get(1).strip());
            }
        }
        ObjectMapper json = new ObjectMapper();
        Path work = Files.createTempDirectory("botgate-dialogue");
        try (ServedKnowledge served = ServedKnowledge.start(work.resolve("home"), """
                bots:
                  - id: faq
                    channel: local
                    knowledge: [faq]
                    rate-per-minute: 0
                    answer-mode: %s
                    fallback: "%s"
                """.formatted(mode, FALLBACK))) {
            served.create("faq");
            served.upload("faq", List.of(new Upload("faq.csv", Files.readAllBytes(dir.resolve("faq.csv")))));
            Turns turns = new Turns(served, questions, answers);

            int[] counts = new int[Outcome.values().length];
            int covered = 0;
            int uncoveredAnswered = 0;
            int uncoveredMenus = 0;
            int n = 0;
            for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode q = json.readTree(line);
                int gold = q.get("faq").asInt();
                String conversation = "q" + n++;
                if (gold < 0) {
                    String reply = served.ask("faq", conversation, q.get("q").asText());
                    uncoveredAnswered += !reply.equals(FALLBACK) && !reply.startsWith("您是想问") ? 1 : 0;
                    uncoveredMenus += reply.startsWith("您是想问") ? 1 : 0;
                    continue;
                }
                covered++;
                counts[turns.turn(conversation, q.get("q").asText(), gold).ordinal()]++;
            }
            int right = counts[Outcome.RIGHT.ordinal()];
            int answered = right + counts[Outcome.WRONG.ordinal()] + uncoveredAnswered;
            int menus = counts[Outcome.MENU_RESOLVED.ordinal()] + counts[Outcome.MENU_MISSED.ordinal()];
            System.out.printf(Locale.ROOT, "%nSingle questions, answer mode %s (%d questions, %d covered)%n", mode,
                    n, covered);
            System.out.println("| precision of answers | coverage | menus (resolved by one pick) | resolved with one "
                    + "pick | wrong entry | out-of-scope answered / asked about | fallbacks on covered |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %.3f (%d/%d) | %.3f | %d (%d) | %.3f | %d | %d / %d | %d |%n",
                    answered == 0 ? 1.0 : (double) right / answered, right, answered, (double) right / covered,
                    menus, counts[Outcome.MENU_RESOLVED.ordinal()],
                    (double) (right + counts[Outcome.MENU_RESOLVED.ordinal()]) / covered,
                    counts[Outcome.WRONG.ordinal()], uncoveredAnswered, uncoveredMenus,
                    counts[Outcome.FALLBACK.ordinal()]);

            List<JsonNode> dialogues = new ArrayList<>();
            try (InputStream in = DialogueBench.class.getResourceAsStream("/dialogues/faq-yunshan-followups.jsonl")) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        dialogues.add(json.readTree(line));
                    }
                }
            }
            int[] withContext = new int[Outcome.values().length];
            int[] alone = new int[Outcome.values().length];
            int firstRight = 0;
            System.out.println("\nTwo-turn dialogues: second turn in the conversation vs alone");
            System.out.println("| first | follow-up | gold | in the conversation | alone |");
            System.out.println("|---|---|---|---|---|");
            int d = 0;
            for (JsonNode dialogue : dialogues) {
                String conversation = "d" + d++;
                Outcome first = turns.turn(conversation, dialogue.get("first").asText(),
                        dialogue.get("first_faq").asInt());
                firstRight += first == Outcome.RIGHT || first == Outcome.MENU_RESOLVED ? 1 : 0;
                int gold = dialogue.get("faq").asInt();
                Outcome in = turns.turn(conversation, dialogue.get("followup").asText(), gold);
                Outcome out = turns.turn("alone-" + conversation, dialogue.get("followup").asText(), gold);
                withContext[in.ordinal()]++;
                alone[out.ordinal()]++;
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", dialogue.get("first").asText(),
                        dialogue.get("followup").asText(), questions.get(gold), in, out);
            }
            System.out.printf(Locale.ROOT, "%n%d dialogues; first turn resolved %d. Second turn right / resolved "
                            + "with one pick / wrong / fallback: in the conversation %d / %d / %d / %d; alone %d / %d "
                            + "/ %d / %d%n", dialogues.size(), firstRight,
                    withContext[0], withContext[0] + withContext[1], withContext[3], withContext[4],
                    alone[0], alone[0] + alone[1], alone[3], alone[4]);
        } finally {
            deleteTree(work);
        }
    }

    /** Asks one turn and, when the bot answers with a menu, picks the right entry's number if it is offered. */
    private record Turns(ServedKnowledge served, List<String> questions, List<String> answers) {
        Outcome turn(String conversation, String text, int gold) {
            String reply = served.ask("faq", conversation, text);
            if (reply.equals(answers.get(gold))) {
                return Outcome.RIGHT;
            }
            if (reply.equals(FALLBACK)) {
                return Outcome.FALLBACK;
            }
            if (reply.startsWith("您是想问")) {
                List<String> lines = reply.lines().skip(1).toList();
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).equals((i + 1) + ". " + questions.get(gold))) {
                        String picked = served.ask("faq", conversation, Integer.toString(i + 1));
                        return picked.equals(answers.get(gold)) ? Outcome.MENU_RESOLVED : Outcome.MENU_MISSED;
                    }
                }
                served.ask("faq", conversation, "/reset");
                return Outcome.MENU_MISSED;
            }
            return Outcome.WRONG;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

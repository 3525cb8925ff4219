package dev.botgate.gateway.handoff;

import dev.botgate.gateway.ConfigException;
import dev.botgate.gateway.ConfigFiles;
import io.helidon.config.Config;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A bot's {@code handoff:} block.
 *
 * @param keywords       words that, found in a question, ask for a person (matched case-insensitively)
 * @param afterFallbacks fallbacks in a row that hand the conversation over (0 = never)
 * @param targets        on-call targets; without any, no person is promised and nothing is handed over
 * @param resumeAfter    the bot answers again after this long without an agent message
 * @param text           what the user is told when handed over
 * @param unavailable    what the user is told on asking for a person when no target is configured
 * @param resumed        what the user is told when the bot answers again
 */
public record HandoffSettings(List<String> keywords, int afterFallbacks, List<NotifyTarget> targets,
                              Duration resumeAfter, String text, String unavailable, String resumed) {
    /** Words that ask for a person when a bot's block does not list its own. */
    public static final List<String> DEFAULT_KEYWORDS = List.of("转人工", "人工客服", "找客服", "真人客服",
            "human agent", "talk to a human", "real person");
    public static final String DEFAULT_TEXT = "已为您转接人工客服，请稍候，客服会在这里回复您。"
            + " A colleague has been notified and will reply here.";
    public static final String DEFAULT_UNAVAILABLE = "抱歉，这里暂时没有人工客服。您可以换个说法描述问题，我会尽力从资料中为您查找。"
            + " Sorry, no agent is available here; try asking in other words and I'll search our documents again.";
    public static final String DEFAULT_RESUMED = "人工客服已结束本次服务，接下来由智能助手为您解答。"
            + " The agent has left; the assistant is answering again.";

    public HandoffSettings {
        keywords = keywords.stream().map(k -> k.strip().toLowerCase(Locale.ROOT)).filter(k -> !k.isEmpty()).toList();
        targets = List.copyOf(targets);
        Objects.requireNonNull(resumeAfter, "resumeAfter");
    }

    /** Handoff as a bot without a {@code handoff:} block gets it: default keywords, no targets. */
    public static HandoffSettings defaults() {
        return new HandoffSettings(DEFAULT_KEYWORDS, 2, List.of(), Duration.ofMinutes(30), DEFAULT_TEXT,
                DEFAULT_UNAVAILABLE, DEFAULT_RESUMED);
    }

    /** Whether a person can be reached: only then is the conversation handed over. */
    public boolean reachable() {
        return !targets.isEmpty();
    }

    /** Whether the question asks for a person. */
    public boolean asksForPerson(String question) {
        String q = question.toLowerCase(Locale.ROOT);
        return keywords.stream().anyMatch(q::contains);
    }

    /**
     * Reads a bot's {@code handoff:} node ({@code at} names it in errors); secrets as {@code ${ENV}} references.
     *
     * @throws ConfigException naming the key at fault
     */
    public static HandoffSettings read(Config n, String at, Map<String, String> env) {
        HandoffSettings d = defaults();
        if (!n.exists()) {
            return d;
        }
        List<String> keywords = n.get("keywords").exists()
                ? n.get("keywords").asList(String.class).orElseThrow(() -> new ConfigException(at
                        + ".keywords: must be a list of words")) : d.keywords();
        int after;
        try {
            after = n.get("after-fallbacks").asInt().orElse(d.afterFallbacks());
        } catch (RuntimeException e) {
            throw new ConfigException(at + ".after-fallbacks: must be a whole number");
        }
        if (after < 0 || after > 100) {
            throw new ConfigException(at + ".after-fallbacks: must be 0..100 (0 = never), got " + after);
        }
        Duration resume = d.resumeAfter();
        Optional<String> r = n.get("resume-after").asString().asOptional();
        if (r.isPresent()) {
            try {
                resume = Duration.parse(r.get().strip());
            } catch (DateTimeParseException e) {
                throw new ConfigException(at + ".resume-after: must be an ISO-8601 duration such as PT30M, got '"
                        + r.get() + "'");
            }
            if (resume.isNegative() || resume.isZero()) {
                throw new ConfigException(at + ".resume-after: must be positive, got " + r.get());
            }
        }
        List<NotifyTarget> targets = new ArrayList<>();
        List<Config> items = n.get("notify").exists() ? n.get("notify").asNodeList().orElse(List.of()) : List.of();
        for (int i = 0; i < items.size(); i++) {
            targets.add(target(items.get(i), at + ".notify[" + i + "]", env));
        }
        return new HandoffSettings(keywords, after, targets, resume,
                n.get("text").asString().orElse(d.text()),
                n.get("unavailable-text").asString().orElse(d.unavailable()),
                n.get("resumed-text").asString().orElse(d.resumed()));
    }

    private static NotifyTarget target(Config item, String at, Map<String, String> env) {
        String wecom = value(item, "wecom-webhook", at, env);
        String feishu = value(item, "feishu-webhook", at, env);
        String slack = value(item, "slack-webhook", at, env);
        int set = (wecom.isEmpty() ? 0 : 1) + (feishu.isEmpty() ? 0 : 1) + (slack.isEmpty() ? 0 : 1);
        if (set != 1) {
            throw new ConfigException(at + ": give exactly one of wecom-webhook, feishu-webhook, slack-webhook");
        }
        String secret = value(item, "secret", at, env);
        if (!secret.isEmpty() && feishu.isEmpty()) {
            throw new ConfigException(at + ".secret: only a feishu-webhook is signed");
        }
        if (!wecom.isEmpty()) {
            return new NotifyTarget.WeComWebhook(uri(wecom, at + ".wecom-webhook"));
        }
        if (!feishu.isEmpty()) {
            return new NotifyTarget.FeishuWebhook(uri(feishu, at + ".feishu-webhook"), secret);
        }
        return new NotifyTarget.SlackWebhook(uri(slack, at + ".slack-webhook"));
    }

    private static String value(Config item, String key, String at, Map<String, String> env) {
        return item.get(key).asString().map(v -> ConfigFiles.resolve(at + "." + key, v, env)).orElse("").strip();
    }

    private static URI uri(String text, String at) {
        try {
            URI u = URI.create(text);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
            return u;
        } catch (IllegalArgumentException e) {
            // the URL may carry a key: never repeat it
            throw new ConfigException(at + ": must be an http(s) URL");
        }
    }
}

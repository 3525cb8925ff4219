package dev.botgate.gateway;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.adapters.AdapterException;
import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.feishu.FeishuAdapter;
import dev.botgate.adapters.feishu.FeishuConfig;
import dev.botgate.adapters.slack.SlackAdapter;
import dev.botgate.adapters.slack.SlackConfig;
import dev.botgate.adapters.wechat.WeChatAdapter;
import dev.botgate.adapters.wechat.WeChatConfig;
import dev.botgate.adapters.wecom.WeComAdapter;
import dev.botgate.adapters.wecom.WeComConfig;
import dev.botgate.adapters.wecomaibot.WeComAiBotAdapter;
import dev.botgate.adapters.wecomaibot.WeComAiBotConfig;
import dev.botgate.adapters.wecomkf.WeComKfAdapter;
import dev.botgate.adapters.wecomkf.WeComKfConfig;
import dev.botgate.gateway.handoff.HandoffSettings;
import dev.botgate.gateway.pipeline.AnswerMode;
import dev.botgate.gateway.pipeline.Bot;
import dev.botgate.gateway.pipeline.BotConfig;
import io.helidon.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code bots:} list. Each bot is checked on its own: one with a bad key is reported with the exact key and
 * reason, and the others still start.
 */
public final class BotRegistry {
    /** Channels a bot may declare. {@code local} bots answer only the API and the chat console. */
    public static final List<String> CHANNELS = List.of("wecom", "wecom-kf", "wecom-aibot", "wechat", "feishu",
            "slack", "local");
    // Live maps: bots made in the console join and leave while the server runs, and the dispatcher, the hooks and
    // the admin routes read these maps (not copies) on each request.
    private final Map<String, Bot> bots = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, ChannelAdapter> adapters = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, HandoffSettings> handoffs = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final List<String> problems;
    private final Map<String, Bot> botsView = java.util.Collections.unmodifiableMap(bots);
    private final Map<String, ChannelAdapter> adaptersView = java.util.Collections.unmodifiableMap(adapters);
    private final Map<String, HandoffSettings> handoffsView = java.util.Collections.unmodifiableMap(handoffs);
    /** How bots were read, kept for the console's bots. */
    private Map<String, String> env = Map.of();
    private AdapterOptions adapterOptions = AdapterOptions.defaults();
    private Ticker ticker = Ticker.systemTicker();
    private ConsoleBots consoleBots;

    private BotRegistry(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, List<String> problems,
                        Map<String, HandoffSettings> handoffs) {
        this.bots.putAll(bots);
        this.adapters.putAll(adapters);
        this.handoffs.putAll(handoffs);
        this.problems = new java.util.concurrent.CopyOnWriteArrayList<>(problems);
    }

    /** Each bot's {@code handoff:} block, by bot id: a live, read-only view. */
    public Map<String, HandoffSettings> handoffs() {
        return handoffsView;
    }

    /** Bots by id: a live, read-only view. */
    public Map<String, Bot> bots() {
        return botsView;
    }

    /** Platform adapters by bot id (local bots have none): a live, read-only view. */
    public Map<String, ChannelAdapter> adapters() {
        return adaptersView;
    }

    /**
     * Adds the bots made in the console ({@code console-bots.yaml} in the data directory) beside the configuration's,
     * and keeps the file for later changes. A console bot whose id a configuration bot already uses is reported and
     * skipped: the configuration file wins.
     */
    public void addConsoleBots(ConsoleBots file) {
        this.consoleBots = file;
        BotRegistry more = load(file.node(), env, adapterOptions, ticker);
        more.problems().forEach(p -> problems.add("console-bots.yaml: " + p));
        more.bots.forEach((id, bot) -> {
            if (bots.containsKey(id)) {
                problems.add("console-bots.yaml: bot '" + id + "' is also declared in the configuration file, which "
                        + "wins");
            } else {
                bots.put(id, bot);
                Optional.ofNullable(more.adapters.get(id)).ifPresent(a -> adapters.put(id, a));
                Optional.ofNullable(more.handoffs.get(id)).ifPresent(h -> handoffs.put(id, h));
            }
        });
    }

    /** Whether a bot was made in the console (editable) rather than declared in the configuration (read-only). */
    public boolean editable(String id) {
        return consoleBots != null && consoleBots.ids().contains(id);
    }

    /** The console bots' store, when the registry has one. */
    public Optional<ConsoleBots> consoleBots() {
        return Optional.ofNullable(consoleBots);
    }

    /**
     * Creates or replaces a console bot from its settings (the same keys as a {@code bots:} entry), applied at once.
     *
     * @throws ConfigException naming the key at fault; nothing changes then
     */
    public synchronized void putConsoleBot(Map<String, Object> settings) {
        if (consoleBots == null) {
            throw new ConfigException("bots cannot be edited here: no data directory for console bots");
        }
        String id = String.valueOf(settings.get("id"));
        if (bots.containsKey(id) && !editable(id)) {
            throw new ConfigException("bot '" + id + "' is declared in the configuration file and is read-only here");
        }
        BotRegistry one = load(ConsoleBots.asConfig(List.of(settings)), env, adapterOptions, ticker);
        if (!one.problems().isEmpty()) {
            one.adapters.values().forEach(BotRegistry::closeQuietly);
            throw new ConfigException(one.problems().getFirst().replace("bots[0]", "bot"));
        }
        consoleBots.put(settings);
        ChannelAdapter old = adapters.remove(id);
        bots.put(id, one.bots.get(id));
        Optional.ofNullable(one.adapters.get(id)).ifPresent(a -> adapters.put(id, a));
        Optional.ofNullable(one.handoffs.get(id)).ifPresent(h -> handoffs.put(id, h));
        if (old != null) {
            closeQuietly(old);
        }
    }

    /** Removes a console bot; false when there is none with this id. */
    public synchronized boolean removeConsoleBot(String id) {
        if (!editable(id)) {
            return false;
        }
        consoleBots.remove(id);
        bots.remove(id);
        handoffs.remove(id);
        Optional.ofNullable(adapters.remove(id)).ifPresent(BotRegistry::closeQuietly);
        return true;
    }

    private static void closeQuietly(ChannelAdapter a) {
        try {
            a.close();
        } catch (Exception e) {
            // a half-built adapter: nothing to keep
        }
    }

    /** Bots that could not start, one line each: {@code bots[2].wecom.encoding-aes-key: must be 43 characters}. */
    public List<String> problems() {
        return problems;
    }

    /** Reads every bot; never throws for one bot's mistakes. */
    public static BotRegistry load(Config botsNode, Map<String, String> env, AdapterOptions adapterOptions,
                                   Ticker ticker) {
        Map<String, Bot> bots = new LinkedHashMap<>();
        Map<String, ChannelAdapter> adapters = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Map<String, HandoffSettings> handoffs = new LinkedHashMap<>();
        List<Config> nodes = botsNode.exists() ? botsNode.asNodeList().orElse(List.of()) : List.of();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            String at = "bots[" + i + "]";
            try {
                BotConfig config = read(nodes.get(i), at, env);
                if (!ids.add(config.id())) {
                    throw new ConfigException(at + ".id: '" + config.id() + "' is used by another bot");
                }
                HandoffSettings handoff = HandoffSettings.read(nodes.get(i).get("handoff"), at + ".handoff", env);
                if (!config.channel().equals("local")) {
                    adapters.put(config.id(), adapter(config, nodes.get(i).get(config.channel()), at, env,
                            adapterOptions));
                }
                bots.put(config.id(), new Bot(config, ticker));
                handoffs.put(config.id(), handoff);
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            } catch (dev.botgate.adapters.ConfigException e) {
                problems.add(at + "." + e.key() + ": " + e.reason());
            } catch (AdapterException | IllegalArgumentException e) {
                problems.add(at + ": " + e.getMessage());
            }
        }
        BotRegistry r = new BotRegistry(bots, adapters, problems, handoffs);
        r.env = Map.copyOf(env);
        r.adapterOptions = adapterOptions;
        r.ticker = ticker;
        return r;
    }

    static BotConfig read(Config n, String at, Map<String, String> env) {
        String id = text(n, "id", at, "");
        if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            throw new ConfigException(at + ".id: '" + id + "' must be 1-64 lower-case letters, digits, '-' or '_'");
        }
        String channel = text(n, "channel", at, "");
        if (!CHANNELS.contains(channel)) {
            throw new ConfigException(at + ".channel: must be one of " + CHANNELS + ", got '" + channel + "'");
        }
        List<String> knowledge = n.get("knowledge").asList(String.class).orElse(List.of());
        Optional<String> model = n.get("model").asString().asOptional().filter(s -> !s.isBlank());
        AnswerMode mode;
        try {
            mode = AnswerMode.parse(n.get("answer-mode").asString().orElse("balanced"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ".answer-mode: " + e.getMessage());
        }
        // An explicit threshold (advanced, kept for existing configurations) wins over the mode's calibrated one.
        double threshold = n.get("threshold").asDouble().orElse(mode.threshold());
        int topK = n.get("top-k").asInt().orElse(4);
        if (topK < 1 || topK > 20) {
            throw new ConfigException(at + ".top-k: must be 1..20, got " + topK);
        }
        int rate = n.get("rate-per-minute").asInt().orElse(20);
        List<String> words = new ArrayList<>(n.get("sensitive-words").asList(String.class).orElse(List.of()));
        String wordsFile = text(n, "sensitive-words-file", at, "");
        if (!wordsFile.isEmpty()) {
            try {
                Files.readAllLines(Path.of(wordsFile), StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(words::add);
            } catch (IOException e) {
                throw new ConfigException(at + ".sensitive-words-file: cannot read " + wordsFile + ": " + e.getMessage());
            }
        }
        return new BotConfig(id, channel, knowledge, model,
                text(n, "system-prompt", at, "You are a helpful customer-service assistant. Answer briefly and "
                        + "politely."),
                text(n, "welcome", at, "您好，有什么可以帮您？ Hello, how can I help?"),
                text(n, "fallback", at, "抱歉，这个问题我还不知道。Sorry, I don't know that yet."),
                threshold, topK, words,
                text(n, "refusal", at, "抱歉，这个问题我无法回答。Sorry, I can't answer that."),
                rate,
                text(n, "busy", at, "现在咨询的人较多，请稍后再试。We're busy right now; please try again shortly."),
                text(n, "unsupported", at, "目前只支持文字消息。Only text messages are supported for now."),
                text(n, "sources-label", at, "来源"), mode);
    }

    private static ChannelAdapter adapter(BotConfig bot, Config block, String at, Map<String, String> env,
                                          AdapterOptions options) {
        if (!block.exists()) {
            throw new ConfigException(at + "." + bot.channel() + ": missing; a " + bot.channel() + " bot needs its "
                    + "platform settings (see config/examples/" + bot.channel() + ".yaml)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        block.traverse().filter(Config::isLeaf).forEach(leaf -> {
            String key = leaf.key().toString().substring(block.key().toString().length() + 1);
            values.put(key, ConfigFiles.resolve(at + "." + bot.channel() + "." + key, leaf.asString().orElse(""), env));
        });
        return switch (bot.channel()) {
            case "wecom" -> new WeComAdapter(bot.id(), WeComConfig.from(values), options);
            case "wecom-kf" -> new WeComKfAdapter(bot.id(), WeComKfConfig.from(values), options);
            case "wecom-aibot" -> new WeComAiBotAdapter(bot.id(), WeComAiBotConfig.from(values), options);
            case "slack" -> new SlackAdapter(bot.id(), SlackConfig.from(values), options);
            case "wechat" -> new WeChatAdapter(bot.id(), WeChatConfig.from(values), options);
            case "feishu" -> new FeishuAdapter(bot.id(), FeishuConfig.from(values), options);
            default -> throw new ConfigException(at + ".channel: " + bot.channel() + " is not available in this build");
        };
    }

    private static String text(Config n, String key, String at, String fallback) {
        return n.get(key).asString().orElse(fallback);
    }
}

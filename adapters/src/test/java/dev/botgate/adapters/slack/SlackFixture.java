package dev.botgate.adapters.slack;

import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Slack faked end to end: {@link FakeSlackApi} plus {@link SlackCallbacks}; {@link #text} is a DM. */
public final class SlackFixture implements PlatformFixture {
    /** Signing secret. */
    public static final String SIGNING_SECRET = "fixture-signing-secret-0123456789";
    /** Bot token. */
    public static final String BOT_TOKEN = "xoxb-fixture-token";
    /** The bot's user id. */
    public static final String BOT_USER_ID = "U0FIXTUREBOT";

    private final FakeSlackApi api = FakeSlackApi.start(BOT_TOKEN, BOT_USER_ID);
    private final SlackCallbacks callbacks = new SlackCallbacks(SIGNING_SECRET);

    /** The fake API. */
    public FakeSlackApi api() {
        return api;
    }

    /** The signer. */
    public SlackCallbacks callbacks() {
        return callbacks;
    }

    @Override
    public Channel channel() {
        return Channel.SLACK;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("signing-secret", SIGNING_SECRET, "bot-token", BOT_TOKEN, "api-base", api.baseUrl());
    }

    @Override
    public ChannelAdapter newAdapter(String botId, AdapterOptions options) {
        return new SlackAdapter(botId, SlackConfig.from(settings()), options);
    }

    @Override
    public SignedCallback text(String sender, String text, long messageId, Instant at) {
        return callbacks.directMessage("Ev" + messageId, "D" + sender, sender, text, at.getEpochSecond() + "."
                + String.format("%06d", messageId % 1_000_000), at);
    }

    @Override
    public List<String> delivered() {
        return api.posted().stream().map(j -> j.path("text").asText()).toList();
    }

    @Override
    public FakeApiServer server() {
        return api.server();
    }

    @Override
    public void close() {
        api.close();
    }
}

package dev.botgate.adapters.feishu;

import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Feishu faked end to end with an Encrypt Key: {@link FakeFeishuApi} plus {@link FeishuCallbacks}; p2p texts. */
public final class FeishuFixture implements PlatformFixture {
    /** App ID. */
    public static final String APP_ID = "cli_fixture0001";
    /** App secret. */
    public static final String APP_SECRET = "fixture-feishu-secret";
    /** Verification token. */
    public static final String VERIFICATION_TOKEN = "fixture-vtoken";
    /** Encrypt key. */
    public static final String ENCRYPT_KEY = "fixture-encrypt-key";
    /** The bot's open_id. */
    public static final String BOT_OPEN_ID = "ou_fixturebot";

    private final FakeFeishuApi api = FakeFeishuApi.start(APP_ID, APP_SECRET, BOT_OPEN_ID);
    private final FeishuCallbacks callbacks = new FeishuCallbacks(APP_ID, VERIFICATION_TOKEN,
            Optional.of(ENCRYPT_KEY));

    /** The fake API. */
    public FakeFeishuApi api() {
        return api;
    }

    /** The signer. */
    public FeishuCallbacks callbacks() {
        return callbacks;
    }

    @Override
    public Channel channel() {
        return Channel.FEISHU;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("app-id", APP_ID, "app-secret", APP_SECRET, "verification-token", VERIFICATION_TOKEN,
                "encrypt-key", ENCRYPT_KEY, "api-base", api.baseUrl());
    }

    @Override
    public ChannelAdapter newAdapter(String botId, AdapterOptions options) {
        return new FeishuAdapter(botId, FeishuConfig.from(settings()), options);
    }

    @Override
    public SignedCallback text(String sender, String text, long messageId, Instant at) {
        return callbacks.p2pText("ev-" + messageId, sender, "om_" + messageId, text, at);
    }

    @Override
    public List<String> delivered() {
        return api.sent().stream().filter(s -> s.msgType().equals("text")).map(FakeFeishuApi.Sent::text).toList();
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

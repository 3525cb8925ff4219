package dev.botgate.adapters.wecom;

import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** WeCom faked end to end: {@link FakeWeComApi} plus {@link WeComCallbacks} for one app. */
public final class WeComFixture implements PlatformFixture {
    /** CorpID of the fixture's company. */
    public static final String CORP_ID = "ww1436e0e65a779aee";
    /** The app's secret. */
    public static final String SECRET = "fixture-wecom-secret";
    /** Callback token. */
    public static final String TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
    /** Callback EncodingAESKey. */
    public static final String AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";

    private final FakeWeComApi api = FakeWeComApi.start(CORP_ID, SECRET);
    private final WeComCallbacks callbacks = new WeComCallbacks(TOKEN, AES_KEY, CORP_ID);

    /** The fake API. */
    public FakeWeComApi api() {
        return api;
    }

    /** The signer. */
    public WeComCallbacks callbacks() {
        return callbacks;
    }

    @Override
    public Channel channel() {
        return Channel.WECOM;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("corp-id", CORP_ID, "agent-id", "1000002", "secret", SECRET, "token", TOKEN,
                "encoding-aes-key", AES_KEY, "api-base", api.baseUrl());
    }

    @Override
    public ChannelAdapter newAdapter(String botId, AdapterOptions options) {
        return new WeComAdapter(botId, WeComConfig.from(settings()), options);
    }

    @Override
    public SignedCallback text(String sender, String text, long messageId, Instant at) {
        return callbacks.text(sender, text, messageId, at);
    }

    @Override
    public List<String> delivered() {
        return api.accepted().stream().map(j -> j.path("text").path("content").asText()).toList();
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

package dev.botgate.adapters.wechat;

import dev.botgate.adapters.AdapterOptions;
import dev.botgate.adapters.Channel;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.FakeApiServer;
import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An Official Account faked end to end, in safe mode: {@link FakeWeChatApi} plus {@link WeChatCallbacks}.
 * {@code verified} chooses the customer-service path (true) or the passive-reply path (false).
 */
public final class WeChatFixture implements PlatformFixture {
    /** AppID. */
    public static final String APP_ID = "wx2c2769f8efd9abc2";
    /** AppSecret. */
    public static final String APP_SECRET = "fixture-oa-secret";
    /** Server token. */
    public static final String TOKEN = "fixturetoken";
    /** EncodingAESKey. */
    public static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    /** The account's gh_ id. */
    public static final String ACCOUNT = "gh_10f6c3c3ac5a";

    private final boolean verified;
    private final FakeWeChatApi api = FakeWeChatApi.start(APP_ID, APP_SECRET);
    private final WeChatCallbacks callbacks = new WeChatCallbacks(TOKEN, AES_KEY, APP_ID, ACCOUNT);

    /** A verified ({@code true}) or unverified account. */
    public WeChatFixture(boolean verified) {
        this.verified = verified;
    }

    /** The fake API. */
    public FakeWeChatApi api() {
        return api;
    }

    /** The signer. */
    public WeChatCallbacks callbacks() {
        return callbacks;
    }

    @Override
    public Channel channel() {
        return Channel.WECHAT;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("app-id", APP_ID, "app-secret", APP_SECRET, "token", TOKEN, "encoding-aes-key", AES_KEY,
                "verified", Boolean.toString(verified), "api-base", api.baseUrl());
    }

    @Override
    public ChannelAdapter newAdapter(String botId, AdapterOptions options) {
        return new WeChatAdapter(botId, WeChatConfig.from(settings()), options);
    }

    @Override
    public SignedCallback text(String sender, String text, long messageId, Instant at) {
        return callbacks.text(sender, text, messageId, at, WeChatCallbacks.Mode.SAFE);
    }

    @Override
    public List<String> delivered() {
        return api.accepted().stream().map(j -> j.path("text").path("content").asText()).toList();
    }

    /**
     * The text a passive reply shows the user: decrypts and checks the safe-mode envelope (signature, AppID) or reads
     * a plain reply. Throws when the body is neither.
     */
    public String passiveText(String responseBody) {
        dev.botgate.adapters.wxcrypto.WxXml x = dev.botgate.adapters.wxcrypto.WxXml.parse(responseBody);
        if (x.get("Encrypt").isPresent()) {
            dev.botgate.adapters.wxcrypto.WxCrypto c = new dev.botgate.adapters.wxcrypto.WxCrypto(TOKEN, AES_KEY,
                    APP_ID);
            if (!c.verify(x.text("MsgSignature"), x.text("TimeStamp"), x.text("Nonce"), x.text("Encrypt"))) {
                throw new AssertionError("passive reply signature does not verify");
            }
            x = dev.botgate.adapters.wxcrypto.WxXml.parse(c.decrypt(x.text("Encrypt")));
        }
        if (!x.text("MsgType").equals("text")) {
            throw new AssertionError("not a text reply: " + responseBody);
        }
        return x.text("Content");
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

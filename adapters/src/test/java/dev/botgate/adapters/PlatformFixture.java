package dev.botgate.adapters;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One platform, faked end to end: its API (a {@link FakeApiServer}) and a signer that builds valid callbacks for one
 * bot. The gateway's end-to-end tests can write {@link #settings()} into a bot's config, post {@link #text} callbacks
 * to {@code /hooks/{channel}/{bot-id}} and read what reached the platform with {@link #delivered()}.
 * Implementations: {@code WeComFixture}, {@code SlackFixture}, {@code WeChatFixture}, {@code FeishuFixture}.
 */
public interface PlatformFixture extends AutoCloseable {

    /** The platform. */
    Channel channel();

    /** The bot's platform block (dashed keys), with {@code api-base} pointing at the fake. */
    Map<String, String> settings();

    /** An adapter for these settings (what the gateway builds from them). */
    ChannelAdapter newAdapter(String botId, AdapterOptions options);

    /**
     * A valid, signed callback carrying a text message.
     *
     * @param sender    the platform user id of the sender
     * @param text      the message text
     * @param messageId a distinct id per message (turned into the platform's message or event id)
     * @param at        the platform's send time (signatures and timestamps)
     */
    SignedCallback text(String sender, String text, long messageId, Instant at);

    /** The texts the fake platform accepted from the bot, in order (stream updates excluded). */
    List<String> delivered();

    /** The fake API server, to queue failures and read raw requests. */
    FakeApiServer server();

    @Override
    void close();
}

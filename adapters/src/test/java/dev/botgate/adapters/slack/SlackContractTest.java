package dev.botgate.adapters.slack;

import dev.botgate.adapters.ChannelAdapterContract;
import dev.botgate.adapters.PlatformFixture;

/** The adapter contract for Slack. */
public class SlackContractTest extends ChannelAdapterContract {
    @Override
    protected PlatformFixture newFixture() {
        return new SlackFixture();
    }
}

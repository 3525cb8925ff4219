package dev.botgate.adapters.wecom;

import dev.botgate.adapters.ChannelAdapterContract;
import dev.botgate.adapters.PlatformFixture;

/** The adapter contract for WeCom. */
public class WeComContractTest extends ChannelAdapterContract {
    @Override
    protected PlatformFixture newFixture() {
        return new WeComFixture();
    }
}

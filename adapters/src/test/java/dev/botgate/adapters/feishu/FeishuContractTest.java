package dev.botgate.adapters.feishu;

import dev.botgate.adapters.ChannelAdapterContract;
import dev.botgate.adapters.PlatformFixture;

/** The adapter contract for Feishu. */
public class FeishuContractTest extends ChannelAdapterContract {
    @Override
    protected PlatformFixture newFixture() {
        return new FeishuFixture();
    }
}

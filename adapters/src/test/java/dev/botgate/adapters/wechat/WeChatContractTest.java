package dev.botgate.adapters.wechat;

import dev.botgate.adapters.ChannelAdapterContract;
import dev.botgate.adapters.PlatformFixture;

/** The adapter contract for WeChat. */
public class WeChatContractTest extends ChannelAdapterContract {
    @Override
    protected PlatformFixture newFixture() {
        return new WeChatFixture(true);
    }
}

package dev.botgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Ticker;

/** A configured bot with its guardrails built once. */
public final class Bot {
    private final BotConfig config;
    private final SensitiveWords sensitiveWords;
    private final RateLimiter rateLimiter;

    public Bot(BotConfig config, Ticker ticker) {
        this.config = config;
        this.sensitiveWords = new SensitiveWords(config.sensitiveWords());
        this.rateLimiter = new RateLimiter(config.ratePerMinute(), ticker);
    }

    public BotConfig config() {
        return config;
    }

    public String id() {
        return config.id();
    }

    SensitiveWords sensitiveWords() {
        return sensitiveWords;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }
}

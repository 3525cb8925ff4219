/**
 * The chat-platform SPI: every adapter verifies and decodes a callback into a neutral {@link
 * dev.botgate.adapters.InboundMessage}, tells the gateway how to acknowledge it the platform's way
 * ({@link dev.botgate.adapters.Ack}) and sends replies ({@link dev.botgate.adapters.ChannelAdapter#send},
 * {@link dev.botgate.adapters.ChannelAdapter#open}). One sub-package per platform, plus {@code wxcrypto}
 * (WeChat-family crypto and XML) and {@code delivery} (outbound HTTP with retries, tokens, splitting, throttled
 * streams).
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}; absent values
 * are {@link java.util.Optional} or empty strings/collections as documented.
 */
package dev.botgate.adapters;

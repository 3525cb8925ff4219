/**
 * WeChat Official Account (公众号): URL verification, plain, compatible and safe-mode callbacks, passive replies
 * (encrypted in safe mode) for unverified accounts and the customer-service message API for verified ones. Entry
 * types: {@link dev.botgate.adapters.wechat.WeChatAdapter} and {@link dev.botgate.adapters.wechat.WeChatConfig}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.wechat;

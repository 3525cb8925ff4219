/**
 * WeCom (企业微信) self-built application: URL verification, encrypted XML callbacks, and answers through
 * {@code message/send} with a cached {@code gettoken} access token. Entry types: {@link
 * dev.botgate.adapters.wecom.WeComAdapter} and {@link dev.botgate.adapters.wecom.WeComConfig}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.wecom;

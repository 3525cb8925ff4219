/**
 * The chat-platform SPI: every adapter verifies and decodes a callback into a neutral {@link
 * dev.botgate.adapters.InboundMessage}, tells the gateway how to acknowledge it the platform's way
 * ({@link dev.botgate.adapters.Ack}) and sends replies ({@link dev.botgate.adapters.ChannelAdapter#send},
 * {@link dev.botgate.adapters.ChannelAdapter#open}). One sub-package per platform ({@code wecom}, {@code slack},
 * {@code wechat}, {@code feishu}), plus {@code wxcrypto} (WeChat-family crypto and XML) and {@code delivery}
 * (outbound HTTP with retries, tokens, splitting, throttled streams).
 *
 * <h2>How the gateway drives an adapter</h2>
 * <ol>
 *   <li>At start, per bot: {@code new WeComAdapter(botId, WeComConfig.from(settings), options)} (likewise
 *   {@code SlackAdapter}/{@code SlackConfig}, {@code WeChatAdapter}/{@code WeChatConfig},
 *   {@code FeishuAdapter}/{@code FeishuConfig}). {@code settings} is the bot's platform block as dashed keys with
 *   {@code ${ENV}} already resolved; a {@link dev.botgate.adapters.ConfigException} names the key
 *   ({@code wecom.encoding-aes-key: must be 43 characters}) for the gateway to prefix with {@code bots[i].}.</li>
 *   <li>On {@code GET|POST /hooks/{channel}/{bot}}: build a {@link dev.botgate.adapters.CallbackRequest} (query values
 *   URL-decoded once, raw body bytes untouched) and call {@link dev.botgate.adapters.ChannelAdapter#handle}. It never
 *   throws for bad input.
 *   <ul>
 *     <li>{@link dev.botgate.adapters.CallbackResult.Reply}: write the response; nothing else to do.</li>
 *     <li>{@link dev.botgate.adapters.CallbackResult.Inbound}: dedupe by {@code message.messageId()} (retries carry
 *     the same key), record it, then act on the {@code ack}:
 *     {@link dev.botgate.adapters.Ack.Now} → write its response at once and answer from a worker with
 *     {@code send} (or {@code open} for a streamed model answer);
 *     {@link dev.botgate.adapters.Ack.Hold} (unverified Official Account) → keep the request open up to
 *     {@code holdFor}; when the answer is ready write {@code passiveReply(message, part)} for the first of
 *     {@code passiveParts(answer)} and keep the rest for the user's next messages; a duplicate delivery joins the
 *     answer in progress; on the last of {@code deliveries} write a short note through {@code passiveReply} and keep
 *     the answer for the next message.</li>
 *   </ul></li>
 *   <li>{@link dev.botgate.adapters.SendException}: {@code retryable()} → retry from the durable record later
 *   (after {@code retryAfter()} when present); otherwise mark failed with the message (it says what to fix).
 *   {@link dev.botgate.adapters.ChannelAdapter#health()} feeds {@code /health}.</li>
 * </ol>
 *
 * <p>Nullness: no parameter, return value or record component in this package is {@code null}; absent values
 * are {@link java.util.Optional} or empty strings/collections as documented.
 */
package dev.botgate.adapters;

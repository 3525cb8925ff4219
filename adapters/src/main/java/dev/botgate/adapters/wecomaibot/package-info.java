/**
 * WeCom 智能机器人 (the AI bot members @-mention in group chats): encrypted JSON callbacks with an empty receive id,
 * answers streamed through refresh callbacks (or the one-time {@code response_url} after the 6-minute window), and
 * the long-connection mode over a WebSocket. Entry types: {@link dev.botgate.adapters.wecomaibot.WeComAiBotAdapter}
 * and {@link dev.botgate.adapters.wecomaibot.WeComAiBotConfig}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.wecomaibot;

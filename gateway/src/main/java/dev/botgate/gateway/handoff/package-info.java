/**
 * Handing a conversation to a person: the per-bot {@code handoff:} settings, the durable handoff state, the on-call
 * notifications (WeCom, Feishu, Slack webhooks) and the agent's replies through the conversation's own channel.
 */
package dev.botgate.gateway.handoff;

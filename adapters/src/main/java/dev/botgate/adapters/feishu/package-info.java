/**
 * Feishu / Lark event subscription 2.0: challenge (plain and encrypted), AES events, the {@code X-Lark-Signature}
 * check, {@code im.message.receive_v1} text and post messages, replies in the thread and streamed card updates.
 * Entry types: {@link dev.botgate.adapters.feishu.FeishuAdapter} and {@link dev.botgate.adapters.feishu.FeishuConfig}.
 * Lark (international) differs only by {@code api-base}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.feishu;

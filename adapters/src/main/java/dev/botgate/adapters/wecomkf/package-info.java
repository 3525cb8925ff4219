/**
 * WeCom 微信客服 (customer service for customers in WeChat): encrypted XML event callbacks, messages pulled with
 * {@code kf/sync_msg} from a durable cursor, answers through {@code kf/send_msg} with idempotent message ids, the
 * welcome through {@code kf/send_msg_on_event}, and the session handoff calls. Entry types: {@link
 * dev.botgate.adapters.wecomkf.WeComKfAdapter} and {@link dev.botgate.adapters.wecomkf.WeComKfConfig}.
 *
 * <p>Nothing in this package is {@code null}.
 */
package dev.botgate.adapters.wecomkf;

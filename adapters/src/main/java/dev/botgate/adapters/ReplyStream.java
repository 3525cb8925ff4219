package dev.botgate.adapters;

/**
 * A reply that grows as the model writes it. Where the platform can edit messages (Slack, Feishu) the first
 * {@link #update} posts a message and later ones edit it, at most as often as the platform allows (updates that come
 * faster are folded into the next one); elsewhere nothing is sent until {@link #finish}. Calls come from one thread.
 */
public interface ReplyStream {

    /**
     * The whole answer so far (not a delta). May post or edit a message; returns quickly when no edit is due.
     *
     * @throws SendException when the platform refuses
     */
    void update(String textSoFar);

    /**
     * The final answer with its sources: always delivered in full (the last edit, or a plain send when nothing was
     * posted yet).
     *
     * @throws SendException when the platform refuses
     */
    void finish(OutboundText text);
}

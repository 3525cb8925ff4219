package dev.botgate.knowledge.index;

/** What writing a document did. */
public enum WriteResult {
    /** The source was new. */
    ADDED,
    /** The source was there with other content; its old chunks were replaced in the same commit. */
    REPLACED,
    /** The source was there with the same content hash; nothing changed. */
    UNCHANGED
}

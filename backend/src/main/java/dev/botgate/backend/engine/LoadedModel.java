package dev.botgate.backend.engine;

import java.time.Instant;

/** A model resident in memory, as {@code ps} shows it. */
public record LoadedModel(String name, String digest, long sizeBytes, long memoryBytes, int contextLength,
                          int slots, int busySlots, int queued, Instant loadedAt) {
}

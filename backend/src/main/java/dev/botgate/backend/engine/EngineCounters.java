package dev.botgate.backend.engine;

import java.util.concurrent.atomic.LongAdder;

/** The engine's running totals behind {@link EngineMetrics}. */
final class EngineCounters {
    final LongAdder requests = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder ttftNanos = new LongAdder();
    final LongAdder ttftCount = new LongAdder();
    final LongAdder generateNanos = new LongAdder();

    void finished(int prompt, int completion, long ttft, long generate) {
        promptTokens.add(prompt);
        completionTokens.add(completion);
        if (ttft > 0) {
            ttftNanos.add(ttft);
            ttftCount.increment();
        }
        generateNanos.add(generate);
    }

    EngineMetrics snapshot(int queued, int busy) {
        return new EngineMetrics(requests.sum(), rejected.sum(), failed.sum(), cancelled.sum(), promptTokens.sum(),
                completionTokens.sum(), queued, busy, ttftNanos.sum(), ttftCount.sum(), generateNanos.sum());
    }
}

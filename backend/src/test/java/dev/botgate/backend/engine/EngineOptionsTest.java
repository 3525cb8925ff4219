package dev.botgate.backend.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import org.testng.annotations.Test;

public class EngineOptionsTest {
    @Test
    public void defaults() {
        EngineOptions o = EngineOptions.defaults();
        assertEquals(o.contextLength(), 4096, "context");
        assertEquals(o.parallel(), 4, "slots");
        assertEquals(o.maxLoadedModels(), 1, "models");
        assertEquals(o.queueCapacity(), 32, "queue");
        assertEquals(o.contextOverflow(), ContextOverflow.DROP_OLDEST, "policy");
    }

    @Test
    public void badValuesNameTheirKey() {
        assertEquals(expectThrows(IllegalArgumentException.class, () -> EngineOptions.builder().parallel(0))
                .getMessage(), "engine.parallel must be between 1 and 64, not 0");
        assertEquals(expectThrows(IllegalArgumentException.class, () -> EngineOptions.builder().queueCapacity(-1))
                .getMessage(), "engine.queue-capacity must be at least 0, not -1");
        assertEquals(expectThrows(IllegalArgumentException.class, () -> ContextOverflow.parse("truncate"))
                .getMessage(), "engine.context-overflow must be 'drop-oldest' or 'error', not 'truncate'");
    }

    @Test
    public void policyParsesItsConfigSpelling() {
        assertEquals(ContextOverflow.parse("drop-oldest"), ContextOverflow.DROP_OLDEST, "drop-oldest");
        assertEquals(ContextOverflow.parse(" ERROR "), ContextOverflow.ERROR, "error");
    }
}

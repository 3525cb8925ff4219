package dev.botgate.backend.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.testng.annotations.Test;

public class StopMatcherTest {
    @Test
    public void holdsBackAPossibleStartAndCutsAtTheMatch() {
        StopMatcher m = new StopMatcher(List.of("</end>"));
        assertEquals(m.feed("hello </"), "hello ", "'</' may start the stop string: held back");
        assertEquals(m.feed("en"), "", "still a possible start");
        assertEquals(m.feed("d> more"), "", "match found: nothing after it is sent");
        assertTrue(m.matched(), "matched");
    }

    @Test
    public void releasesHeldTextThatTurnsOutNotToMatch() {
        StopMatcher m = new StopMatcher(List.of("STOP", ""));
        assertEquals(m.feed("a ST"), "a ", "held back");
        assertEquals(m.feed("ART"), "START", "released once it cannot match");
        assertEquals(m.feed("x S"), "x ", "held back again");
        assertEquals(m.flush(), "S", "flushed at the end");
        assertFalse(m.matched(), "no match");
    }

    @Test
    public void earliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("b", "abc"));
        assertEquals(m.feed("xxabc"), "xx", "'abc' starts before 'b'");
    }
}

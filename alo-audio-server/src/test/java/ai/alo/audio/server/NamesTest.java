package ai.alo.audio.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The caps on names and ids (pure functions; the protocol tests show them on the wire). */
class NamesTest {

    @Test
    void displayName_ofAtMost64Characters_isKept() {
        assertEquals("a".repeat(64), Names.displayName("a".repeat(64)));
        assertEquals("Ann", Names.displayName("Ann"));
        assertEquals("", Names.displayName(null));
    }

    @Test
    void displayName_longerThan64Characters_isCut() {
        assertEquals("a".repeat(64), Names.displayName("a".repeat(65)));
        assertEquals(64, Names.displayName("\u00e9".repeat(100)).length());
    }

    @Test
    void displayName_isNeverCutInsideASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        assertEquals("a".repeat(63), Names.displayName("a".repeat(63) + emoji));
        assertEquals("a".repeat(62) + emoji, Names.displayName("a".repeat(62) + emoji + "b"));
        assertEquals(emoji.repeat(32), Names.displayName(emoji.repeat(40)));
    }

    @Test
    void displayName_replacesControlCharactersAndLoneSurrogates() {
        assertEquals("a b c d", Names.displayName("a\tb\u0000c\u007fd"));
        assertEquals("x\uFFFDy", Names.displayName("x\uD800y"));
        assertEquals("\uFFFD", Names.displayName("\uDC00"));
    }

    @Test
    void ids_over128Characters_areTooLong() {
        assertFalse(Names.idTooLong("u".repeat(128)));
        assertTrue(Names.idTooLong("u".repeat(129)));
    }
}

package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** No ICE credential, fingerprint or session description gets through {@link Redaction}. */
class RedactionTest {

    @Test
    void redact_removesIceCredentialsAndFingerprints() {
        String line = "Failed to parse: a=ice-pwd:Sup3rS3cretPassw0rdValue12 a=ice-ufrag:AbCd "
                + "a=fingerprint:sha-256 AB:CD:EF:01:23 pwd=zzz9 ufrag: yyy8";
        String out = Redaction.redact(line);
        assertFalse(out.contains("Sup3rS3cret"), out);
        assertFalse(out.contains("AbCd"), out);
        assertFalse(out.contains("AB:CD:EF"), out);
        assertFalse(out.contains("zzz9"), out);
        assertFalse(out.contains("yyy8"), out);
        assertTrue(out.startsWith("Failed to parse: a=ice-pwd:<redacted>"), out);
    }

    @Test
    void redact_replacesAWholeSessionDescription() {
        String text = "Failed to set remote offer: v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "a=ice-pwd:abcdefabcdefabcdefabcdef\r\n";
        String out = Redaction.redact(text);
        assertEquals("Failed to set remote offer: <session description redacted>", out);
    }

    @Test
    void redact_keepsOrdinaryTextOnOneLine_andCutsLongText() {
        assertEquals("ICE pwd must contain only alphanumeric characters",
                Redaction.redact("ICE pwd must contain only alphanumeric characters"));
        assertEquals("a b", Redaction.redact("a\nb"));
        String longText = "x".repeat(2000);
        assertEquals(Redaction.MAX_LENGTH + 3, Redaction.redact(longText).length());
        assertNull(Redaction.redact(null));
    }
}

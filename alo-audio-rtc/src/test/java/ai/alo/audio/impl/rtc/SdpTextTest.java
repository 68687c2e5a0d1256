package ai.alo.audio.impl.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The plain-text SDP reading and the packet time edit. */
class SdpTextTest {

    private static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=candidate:1 1 udp 2122260223 10.77.0.1 40000 typ host\r\n"
            + "a=candidate:2 1 udp 2122260223 10.77.0.2 40001 typ host\r\n"
            + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\n";

    @Test
    void candidateCount_countsCandidateLines() {
        assertEquals(2, SdpText.candidateCount(OFFER));
        assertEquals(0, SdpText.candidateCount("v=0\r\n"));
    }

    @Test
    void hasOpusAudio_needsAnAudioSectionWithOpus48k() {
        assertTrue(SdpText.hasOpusAudio(OFFER));
        assertFalse(SdpText.hasOpusAudio("v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"));
        assertFalse(SdpText.hasOpusAudio("v=0\r\nm=video 9 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"));
        assertFalse(SdpText.hasOpusAudio("garbage"));
    }

    @Test
    void withPacketTime_addsOrReplacesPtimeInAudioSectionsOnly() {
        String edited = SdpText.withPacketTime(OFFER, 10);
        assertTrue(edited.endsWith("a=ptime:10\r\n"), edited);
        assertEquals(1, edited.split("a=ptime:", -1).length - 1);
        String again = SdpText.withPacketTime(edited, 20);
        assertEquals(1, again.split("a=ptime:", -1).length - 1);
        assertTrue(again.contains("a=ptime:20\r\n"));

        String twoSections = OFFER + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
        String both = SdpText.withPacketTime(twoSections, 10);
        int ptime = both.indexOf("a=ptime:10");
        assertTrue(ptime > 0 && ptime < both.indexOf("m=video"), "ptime stays in the audio section: " + both);
        assertFalse(both.substring(both.indexOf("m=video")).contains("ptime"));
    }
}

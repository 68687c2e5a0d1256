package ai.alo.audio.impl.rtc;

import java.util.ArrayList;
import java.util.List;

/**
 * The few things this module reads from or changes in a session description, as plain text (no SDP parser).
 * Stateless; safe from any thread. Nothing here logs or throws the description.
 */
final class SdpText {

    private SdpText() {
    }

    /** Number of {@code a=candidate:} lines (ICE candidates the description carries). */
    static int candidateCount(String sdp) {
        int count = 0;
        for (String line : lines(sdp)) {
            if (line.startsWith("a=candidate:")) {
                count++;
            }
        }
        return count;
    }

    /** Whether the description has an audio section that offers Opus at 48 kHz. */
    static boolean hasOpusAudio(String sdp) {
        boolean audio = false;
        for (String line : lines(sdp)) {
            if (line.startsWith("m=")) {
                audio = line.startsWith("m=audio ");
            } else if (audio && line.toLowerCase(java.util.Locale.ROOT).matches("a=rtpmap:\\d+ opus/48000(/\\d+)?")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The description with {@code a=ptime:<millis>} in every audio section (replacing one that is there): the packet
     * duration this side prefers to receive. libwebrtc's Opus encoder on the other side then sends frames of that
     * length ({@code minptime=10} is in the Opus format parameters already). Line endings are CRLF as in the input.
     */
    static String withPacketTime(String sdp, int millis) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        List<String> in = lines(sdp);
        List<String> out = new ArrayList<>(in.size() + 2);
        boolean audio = false;
        for (String line : in) {
            if (line.startsWith("m=")) {
                if (audio) {
                    out.add("a=ptime:" + millis);
                }
                audio = line.startsWith("m=audio ");
            } else if (audio && line.startsWith("a=ptime:")) {
                continue;
            }
            out.add(line);
        }
        if (audio) {
            out.add("a=ptime:" + millis);
        }
        StringBuilder b = new StringBuilder(sdp.length() + 32);
        for (String line : out) {
            b.append(line).append(eol);
        }
        return b.toString();
    }

    private static List<String> lines(String sdp) {
        List<String> result = new ArrayList<>();
        for (String line : sdp.split("\r?\n")) {
            if (!line.isEmpty()) {
                result.add(line);
            }
        }
        return result;
    }
}

package ai.alo.audio.impl.rtc;

import java.util.regex.Pattern;

/**
 * Removes secrets from text that comes out of libwebrtc (log lines, negotiation errors) before it reaches a log line
 * or an exception message: ICE user fragments and passwords, DTLS fingerprints, crypto keys, and whole session
 * descriptions (an error that quotes the SDP). Stateless; safe from any thread.
 */
final class Redaction {

    /** Longest text passed on; webrtc's log lines are short, anything longer is a dump. */
    static final int MAX_LENGTH = 500;

    private static final Pattern SECRET_ATTRIBUTE = Pattern.compile(
            "(?i)(ice-pwd|ice-ufrag|fingerprint|crypto)([:= ]+)(sha-\\d+ )?[^\\s,;\"']+");
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?i)\\b(ufrag|pwd|password)([:=]+ ?)[^\\s,;\"']+");
    private static final Pattern SDP_BODY = Pattern.compile("(?s)v=0\\s*[\\r\\n]+o=.*");

    private Redaction() {
    }

    /** The text with secrets replaced by {@code <redacted>}, cut to {@link #MAX_LENGTH}; {@code null} stays null. */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = SDP_BODY.matcher(text).replaceAll("<session description redacted>");
        out = SECRET_ATTRIBUTE.matcher(out).replaceAll("$1$2<redacted>");
        out = SECRET_VALUE.matcher(out).replaceAll("$1$2<redacted>");
        out = out.replace('\r', ' ').replace('\n', ' ').strip();
        if (out.length() > MAX_LENGTH) {
            out = out.substring(0, MAX_LENGTH) + "...";
        }
        return out;
    }
}

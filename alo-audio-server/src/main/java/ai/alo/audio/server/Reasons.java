package ai.alo.audio.server;

import java.nio.charset.StandardCharsets;

/** Text helpers for close reasons and sizes. */
final class Reasons {

    /** RFC 6455 §5.5: a control frame payload is at most 125 bytes, 2 of them the code. */
    static final int MAX_CLOSE_REASON_BYTES = 123;

    private Reasons() {
    }

    /**
     * Makes a close reason safe: no control characters and at most {@value #MAX_CLOSE_REASON_BYTES} UTF-8 bytes.
     *
     * @param reason the text, or null
     * @return the bounded text, never null
     */
    static String closeReason(String reason) {
        if (reason == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(reason.length(), MAX_CLOSE_REASON_BYTES));
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_CLOSE_REASON_BYTES) {
                break;
            }
            out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp);
            bytes += size;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * A client-supplied id made safe to quote in a message: in single quotes, control characters replaced by
     * {@code ?}, cut to 64 characters ({@code ...} marks the cut).
     *
     * @param id the text, or null
     * @return the quoted text, never null
     */
    static String printable(String id) {
        String text = id == null ? "" : id;
        StringBuilder out = new StringBuilder(Math.min(text.length(), 64) + 5).append('\'');
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > 64) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    /**
     * The length of a text's UTF-8 encoding, without encoding it (an unpaired surrogate counts 3 bytes, like the
     * replacement character it is encoded as).
     *
     * @param text the text
     * @return the number of bytes
     */
    static int utf8Length(CharSequence text) {
        int chars = text.length();
        int bytes = chars;
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < chars
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /**
     * Whether a text's UTF-8 encoding is longer than {@code limit} bytes, without encoding it.
     *
     * @param text  the text
     * @param limit the limit in bytes
     * @return {@code true} when the encoding is longer
     */
    static boolean utf8LongerThan(CharSequence text, long limit) {
        int chars = text.length();
        if (chars > limit) {
            return true;
        }
        if (chars * 3L <= limit) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes > limit;
    }
}

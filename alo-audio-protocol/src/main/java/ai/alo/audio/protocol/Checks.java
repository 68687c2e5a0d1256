package ai.alo.audio.protocol;

import java.util.List;

/** Argument checks shared by the message records; failures become protocol errors when decoding. */
final class Checks {

    /** The longest request id. */
    static final int MAX_REQUEST_ID_LENGTH = 64;

    private Checks() {
    }

    static String required(String value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("missing '" + name + "'");
        }
        return value;
    }

    static String nonBlank(String value, String name) {
        if (required(value, name).isBlank()) {
            throw new IllegalArgumentException("'" + name + "' must not be blank");
        }
        return value;
    }

    static <T> T present(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("missing '" + name + "'");
        }
        return value;
    }

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** A request id is absent (null) or 1 to 64 printable ASCII characters. */
    static String requestId(String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_REQUEST_ID_LENGTH
                || !value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new IllegalArgumentException("'requestId' must be 1 to " + MAX_REQUEST_ID_LENGTH
                    + " printable ASCII characters");
        }
        return value;
    }

    /** A session description: present, non-blank, at most {@link MediaOffer#MAX_SDP_LENGTH} characters. */
    static String sdp(String value) {
        nonBlank(value, "sdp");
        if (value.length() > MediaOffer.MAX_SDP_LENGTH) {
            throw new IllegalArgumentException("'sdp' is longer than " + MediaOffer.MAX_SDP_LENGTH + " characters");
        }
        return value;
    }

    /** A list of capability names: missing becomes empty; each name non-blank. */
    static List<String> capabilities(List<String> value) {
        if (value == null) {
            return List.of();
        }
        for (String capability : value) {
            if (capability == null || capability.isBlank()) {
                throw new IllegalArgumentException("'capabilities' must hold non-blank names");
            }
        }
        return List.copyOf(value);
    }
}

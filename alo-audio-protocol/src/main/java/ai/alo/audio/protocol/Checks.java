package ai.alo.audio.protocol;

/** Argument checks shared by the message records; failures become protocol errors when decoding. */
final class Checks {

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
}

package ai.alo.audio.server;

/**
 * The caps the service puts on names and ids from clients, before anyone else sees them (see "Names are capped by
 * the service" in {@code docs/protocol.md}).
 */
final class Names {

    /** The longest display name, in UTF-16 characters ({@link String#length()}). */
    static final int MAX_NAME_LENGTH = 64;

    /** The longest user id, device id or channel id, in UTF-16 characters. */
    static final int MAX_ID_LENGTH = 128;

    private Names() {
    }

    /**
     * A display name as the others see it: control characters replaced by spaces, unpaired surrogates by U+FFFD, and
     * cut to at most {@value #MAX_NAME_LENGTH} characters without splitting a surrogate pair.
     *
     * @param name the name the client sent; null gives empty
     * @return the capped name
     */
    static String displayName(String name) {
        if (name == null || name.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_NAME_LENGTH));
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int width = Character.charCount(cp);
            if (out.length() + width > MAX_NAME_LENGTH) {
                break;
            }
            if (Character.isISOControl(cp)) {
                out.append(' ');
            } else if (width == 1 && Character.isSurrogate((char) cp)) {
                out.append('\uFFFD');
            } else {
                out.appendCodePoint(cp);
            }
            i += width;
        }
        return out.toString();
    }

    /**
     * Whether an id is longer than {@value #MAX_ID_LENGTH} characters.
     *
     * @param id the id, not null
     * @return {@code true} when it must be refused
     */
    static boolean idTooLong(String id) {
        return id.length() > MAX_ID_LENGTH;
    }
}

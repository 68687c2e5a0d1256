package ai.alo.audio.protocol;

/**
 * The signalling protocol versions this code speaks, and the one place to change them. A client offers the range
 * {@link #MIN} to {@link #MAX} in {@code hello}; the server picks the highest version both speak and names it in
 * {@code welcome}, or closes with {@link CloseCodes#UNSUPPORTED_PROTOCOL} when the ranges do not overlap.
 */
public final class ProtocolVersion {

    /** The lowest version this code speaks. Version 1 (unpaged rosters, no request ids) is retired. */
    public static final int MIN = 2;

    /** The highest version this code speaks. */
    public static final int MAX = 2;

    /** The WebSocket path of the reference audio service. */
    public static final String DEFAULT_PATH = "/audio";

    private ProtocolVersion() {
    }

    /**
     * The version two ranges agree on: the highest version in both.
     *
     * @param min the other side's lowest version
     * @param max the other side's highest version
     * @param ownMin this side's lowest version
     * @param ownMax this side's highest version
     * @return the agreed version, or 0 when the ranges do not overlap
     */
    public static int negotiate(int min, int max, int ownMin, int ownMax) {
        int chosen = Math.min(max, ownMax);
        return chosen >= Math.max(min, ownMin) ? chosen : 0;
    }
}

package ai.alo.audio.protocol;

/**
 * The signalling protocol version.
 */
public final class ProtocolVersion {

    /** The version this code speaks, sent in {@code hello} and {@code welcome}. */
    public static final int CURRENT = 1;

    /** The WebSocket path of the reference audio service. */
    public static final String DEFAULT_PATH = "/audio";

    private ProtocolVersion() {
    }
}

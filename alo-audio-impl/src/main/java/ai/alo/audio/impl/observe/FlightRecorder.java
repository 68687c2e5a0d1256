package ai.alo.audio.impl.observe;

/**
 * The one door to the JDK Flight Recorder events, so that the client never links to {@code jdk.jfr} where that module
 * is not visible: a WildFly deployment sees it only through the {@code Dependencies: jdk.jfr} entry of this jar's
 * manifest, and another module system might not at all. When {@code jdk.jfr.Event} cannot be loaded, every method does
 * nothing; the event classes are touched only when it can.
 *
 * <p>Thread-safe.
 */
public final class FlightRecorder {

    private static final boolean AVAILABLE = available();

    private FlightRecorder() {
    }

    private static boolean available() {
        try {
            Class.forName("jdk.jfr.Event", false, FlightRecorder.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether the events are recorded in this environment (when a recording runs).
     *
     * @return {@code true} when {@code jdk.jfr} is visible
     */
    public static boolean isAvailable() {
        return AVAILABLE;
    }

    /**
     * Begins timing a connect attempt.
     *
     * @return a handle for {@link #connectEnded(Object, String, String, String)}, or null without JFR
     */
    public static Object connectStarted() {
        return AVAILABLE ? ConnectJfrEvent.started() : null;
    }

    /**
     * Ends a connect attempt and records it.
     *
     * @param handle  from {@link #connectStarted()}; null does nothing
     * @param client  the client's name
     * @param channel the channel id
     * @param outcome {@code CONNECTED} or the failure's reason
     */
    public static void connectEnded(Object handle, String client, String channel, String outcome) {
        if (AVAILABLE && handle != null) {
            ConnectJfrEvent.ended(handle, client, channel, outcome);
        }
    }

    /**
     * Records an ended connection attempt.
     *
     * @param client       the client's name
     * @param channel      the channel id
     * @param state        {@code DISCONNECTED} or {@code ERROR}
     * @param reason       the reason
     * @param initiator    who ended it
     * @param closeCode    the close code
     * @param wasConnected whether it had been connected
     * @param nanos        how long its release took
     */
    public static void disconnect(String client, String channel, String state, String reason, String initiator,
                                  int closeCode, boolean wasConnected, long nanos) {
        if (AVAILABLE) {
            DisconnectJfrEvent.record(client, channel, state, reason, initiator, closeCode, wasConnected, nanos);
        }
    }

    /**
     * Records a detected loss.
     *
     * @param client        the client's name
     * @param channel       the channel id
     * @param reason        the reason
     * @param silenceMillis for a heartbeat timeout, the silence; else 0
     */
    public static void loss(String client, String channel, String reason, long silenceMillis) {
        if (AVAILABLE) {
            LossJfrEvent.record(client, channel, reason, silenceMillis);
        }
    }
}

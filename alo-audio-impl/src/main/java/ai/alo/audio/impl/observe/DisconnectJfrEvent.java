package ai.alo.audio.impl.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A connection attempt ended: one per {@code DisconnectEvent}, with its state, reason and release time. */
@Name(DisconnectJfrEvent.NAME)
@Label("ALO Audio Disconnect")
@Category({"ALO Audio"})
@Description("A connection attempt of an ALO audio client ended, with its state, reason and close code")
@StackTrace(false)
public final class DisconnectJfrEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "ai.alo.audio.Disconnect";

    @Label("Client")
    String client;

    @Label("Channel")
    String channel;

    @Label("State")
    String state;

    @Label("Reason")
    String reason;

    @Label("Initiator")
    String initiator;

    @Label("Close Code")
    int closeCode;

    @Label("Was Connected")
    boolean wasConnected;

    @Label("Release Time")
    @Description("disconnect()/close(): how long the call took to release the connection; a loss: how long its "
            + "release took after the loss was reported")
    @Timespan(Timespan.NANOSECONDS)
    long releaseTime;

    /**
     * Records an ended connection attempt, if a recording wants it.
     *
     * @param client       the client's name
     * @param channel      the channel id
     * @param state        {@code DISCONNECTED} or {@code ERROR}
     * @param reason       the reason
     * @param initiator    who ended it
     * @param closeCode    the close code
     * @param wasConnected whether it had been connected
     * @param nanos        how long the end took (the event's duration)
     */
    public static void record(String client, String channel, String state, String reason, String initiator,
                              int closeCode, boolean wasConnected, long nanos) {
        DisconnectJfrEvent event = new DisconnectJfrEvent();
        if (event.shouldCommit()) {
            event.client = client;
            event.channel = channel;
            event.state = state;
            event.reason = reason;
            event.initiator = initiator;
            event.closeCode = closeCode;
            event.wasConnected = wasConnected;
            event.releaseTime = nanos;
            event.commit();
        }
    }
}

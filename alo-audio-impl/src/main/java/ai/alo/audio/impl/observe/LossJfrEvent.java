package ai.alo.audio.impl.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A connected client detected that its connection was lost: the socket failed, or the heartbeat went silent. */
@Name(LossJfrEvent.NAME)
@Label("ALO Audio Connection Lost")
@Category({"ALO Audio"})
@Description("An ALO audio client lost its connection: socket closed or reset, server close, or heartbeat timeout")
@StackTrace(false)
public final class LossJfrEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "ai.alo.audio.ConnectionLost";

    @Label("Client")
    String client;

    @Label("Channel")
    String channel;

    @Label("Reason")
    String reason;

    @Label("Silence")
    @Description("For a heartbeat timeout: how long nothing had been received")
    @Timespan(Timespan.MILLISECONDS)
    long silenceMillis;

    /**
     * Records a loss, if a recording wants it.
     *
     * @param client        the client's name
     * @param channel       the channel id
     * @param reason        the reason
     * @param silenceMillis for a heartbeat timeout, the silence; else 0
     */
    public static void record(String client, String channel, String reason, long silenceMillis) {
        LossJfrEvent event = new LossJfrEvent();
        if (event.shouldCommit()) {
            event.client = client;
            event.channel = channel;
            event.reason = reason;
            event.silenceMillis = silenceMillis;
            event.commit();
        }
    }
}

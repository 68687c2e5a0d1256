package ai.alo.audio.impl.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A connect attempt, from {@code connect()} to {@code CONNECTED} or to its failure: the event's duration is the
 * connect time. Recorded by default when a JFR recording runs ({@code jcmd <pid> JFR.start}).
 */
@Name(ConnectJfrEvent.NAME)
@Label("ALO Audio Connect")
@Category({"ALO Audio"})
@Description("A connect attempt of an ALO audio client, from connect() to CONNECTED or to its failure")
@StackTrace(false)
public final class ConnectJfrEvent extends jdk.jfr.Event {

    /** The event's name in a recording. */
    public static final String NAME = "ai.alo.audio.Connect";

    @Label("Client")
    String client;

    @Label("Channel")
    String channel;

    @Label("Outcome")
    @Description("CONNECTED, or the DisconnectReason of the failure")
    String outcome;

    /**
     * A begun event, for {@link FlightRecorder#connectStarted()}.
     *
     * @return the event, begun now
     */
    static Object started() {
        ConnectJfrEvent event = new ConnectJfrEvent();
        event.begin();
        return event;
    }

    /**
     * Ends and commits an event made by {@link #started()}, for {@link FlightRecorder}.
     *
     * @param handle  the event
     * @param client  the client's name
     * @param channel the channel id
     * @param outcome the outcome
     */
    static void ended(Object handle, String client, String channel, String outcome) {
        ConnectJfrEvent event = (ConnectJfrEvent) handle;
        event.end();
        event.commit(client, channel, outcome);
    }

    /**
     * Sets the fields and commits the event, if the recording wants it. Call {@code end()} first to fix the duration.
     *
     * @param client  the client's name
     * @param channel the channel id
     * @param outcome {@code CONNECTED} or the failure's reason
     */
    public void commit(String client, String channel, String outcome) {
        if (shouldCommit()) {
            this.client = client;
            this.channel = channel;
            this.outcome = outcome;
            commit();
        }
    }
}

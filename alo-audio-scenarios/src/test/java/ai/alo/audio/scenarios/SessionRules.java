package ai.alo.audio.scenarios;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event sequences docs/reconnect.md promises, checked over a client's whole {@link EventLog#sequence()}:
 * <ul>
 *   <li>every connection change is a transition of the state diagram; {@code tick}s only while RECONNECT_PENDING;</li>
 *   <li>a loss is {@code ERROR}, then exactly one {@code disconnect(ERROR,..,true)}, then {@code RECONNECT_PENDING};</li>
 *   <li>every RECONNECT_PENDING period ends in CONNECTED (followed by {@code reconnected}) or in the session's final
 *       event;</li>
 *   <li>a session's last event is one {@code disconnect(..,false)}, and nothing of the session follows it (only a new
 *       session's CONNECTING, or CLOSED).</li>
 * </ul>
 */
final class SessionRules {

    private static final Map<String, Set<String>> NEXT = Map.of(
            "NOT_CONNECTED", Set.of("CONNECTING", "CLOSED"),
            "CONNECTING", Set.of("ACQUIRING_ACCESS", "DISCONNECTING", "ERROR", "RECONNECT_PENDING"),
            "ACQUIRING_ACCESS", Set.of("CONNECTED", "DISCONNECTING", "ERROR", "RECONNECT_PENDING"),
            "CONNECTED", Set.of("DISCONNECTING", "ERROR"),
            "DISCONNECTING", Set.of("DISCONNECTED", "CLOSED"),
            "DISCONNECTED", Set.of("CONNECTING", "CLOSED"),
            "ERROR", Set.of("CONNECTING", "DISCONNECTED", "CLOSED", "RECONNECT_PENDING"),
            "RECONNECT_PENDING", Set.of("CONNECTING", "DISCONNECTED"),
            "CLOSED", Set.of());

    private SessionRules() {
    }

    /**
     * Checks a sequence; throws an AssertionError naming the first word that breaks a rule.
     *
     * @param words the sequence
     * @return how many losses (disconnects with willReconnect) and sessions ended (final disconnects) it holds
     */
    static int[] check(List<String> words) {
        String state = "NOT_CONNECTED";
        boolean reconnecting = false;   // in an outage: since a loss, until reconnected or the final event
        boolean expectLossEvent = false;
        boolean expectPending = false;
        boolean expectReconnected = false;
        boolean sessionOpen = false;
        int losses = 0;
        int finals = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String where = " at word " + i + " of " + words;
            if (w.equals("participants")) {
                continue;
            }
            if (expectLossEvent && !w.startsWith("disconnect(ERROR,")) {
                throw new AssertionError("ERROR not followed by its DisconnectEvent" + where);
            }
            if (expectPending && !w.equals("RECONNECT_PENDING")) {
                throw new AssertionError("a loss that will reconnect not followed by RECONNECT_PENDING" + where);
            }
            if (expectReconnected && !w.startsWith("reconnected(")) {
                throw new AssertionError("a reconnect's CONNECTED not followed by its ReconnectedEvent" + where);
            }
            if (w.equals("tick")) {
                if (!state.equals("RECONNECT_PENDING")) {
                    throw new AssertionError("tick outside RECONNECT_PENDING" + where);
                }
                continue;
            }
            if (w.startsWith("reconnected(")) {
                if (!expectReconnected) {
                    throw new AssertionError("ReconnectedEvent without a reconnect" + where);
                }
                expectReconnected = false;
                continue;
            }
            if (w.startsWith("disconnect(")) {
                boolean willReconnect = w.endsWith(",true)");
                if (!sessionOpen) {
                    throw new AssertionError("DisconnectEvent outside a session" + where);
                }
                if (willReconnect) {
                    if (!expectLossEvent) {
                        throw new AssertionError("a loss event not right after ERROR" + where);
                    }
                    losses++;
                    expectLossEvent = false;
                    expectPending = true;
                } else {
                    String endState = w.substring("disconnect(".length(), w.indexOf(','));
                    if (!endState.equals(state) && !(state.equals("CLOSED") && endState.equals("DISCONNECTED"))) {
                        throw new AssertionError("final event " + w + " in state " + state + where);
                    }
                    expectLossEvent = false;
                    finals++;
                    sessionOpen = false;
                    reconnecting = false;
                }
                continue;
            }
            // a connection change
            if (!NEXT.getOrDefault(state, Set.of()).contains(w)) {
                throw new AssertionError("transition " + state + " -> " + w + " is not in the diagram" + where);
            }
            if (w.equals("CONNECTING") && !reconnecting) {
                if (sessionOpen) {
                    throw new AssertionError("a new session before the last one's final event" + where);
                }
                sessionOpen = true;
            }
            if (w.equals("ERROR")) {
                expectLossEvent = true; // a loss (will reconnect) or the final ERROR: the next word says which
            }
            if (w.equals("RECONNECT_PENDING")) {
                expectPending = false;
                reconnecting = true;
            }
            if (w.equals("CONNECTED") && reconnecting) {
                expectReconnected = true;
                reconnecting = false;
            }
            state = w;
        }
        if (expectLossEvent || expectPending) {
            throw new AssertionError("the sequence ends in the middle of a loss: " + words);
        }
        return new int[] {losses, finals};
    }
}

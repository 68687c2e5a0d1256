package ai.alo.audio.impl;

import ai.alo.audio.ConnectionState;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Every transition the client's state machine may make; the table drawn in {@link ConnectionState}'s Javadoc. A
 * transition that is not listed is a bug in this module and fails loudly rather than leaving a state nobody expects.
 */
final class StateTable {

    private static final Map<ConnectionState, Set<ConnectionState>> ALLOWED = new EnumMap<>(ConnectionState.class);

    static {
        allow(ConnectionState.NOT_CONNECTED, ConnectionState.CONNECTING, ConnectionState.CLOSED);
        // RECONNECT_PENDING from an attempt: it failed and another follows (no ERROR between: it was no loss)
        allow(ConnectionState.CONNECTING, ConnectionState.ACQUIRING_ACCESS, ConnectionState.DISCONNECTING,
                ConnectionState.ERROR, ConnectionState.RECONNECT_PENDING);
        allow(ConnectionState.ACQUIRING_ACCESS, ConnectionState.CONNECTED, ConnectionState.DISCONNECTING,
                ConnectionState.ERROR, ConnectionState.RECONNECT_PENDING);
        allow(ConnectionState.CONNECTED, ConnectionState.DISCONNECTING, ConnectionState.ERROR);
        // CLOSED: close() gave up waiting for another thread's disconnect and took its report over
        allow(ConnectionState.DISCONNECTING, ConnectionState.DISCONNECTED, ConnectionState.CLOSED);
        allow(ConnectionState.DISCONNECTED, ConnectionState.CONNECTING, ConnectionState.CLOSED);
        // RECONNECT_PENDING from ERROR: a lost connection will be reconnected
        allow(ConnectionState.ERROR, ConnectionState.CONNECTING, ConnectionState.DISCONNECTED,
                ConnectionState.CLOSED, ConnectionState.RECONNECT_PENDING);
        // to itself once a second while waiting; DISCONNECTED: disconnect() or close() ended the wait
        allow(ConnectionState.RECONNECT_PENDING, ConnectionState.RECONNECT_PENDING, ConnectionState.CONNECTING,
                ConnectionState.DISCONNECTED);
        allow(ConnectionState.CLOSED);
    }

    private StateTable() {
    }

    private static void allow(ConnectionState from, ConnectionState... to) {
        Set<ConnectionState> targets = EnumSet.noneOf(ConnectionState.class);
        targets.addAll(java.util.List.of(to));
        ALLOWED.put(from, targets);
    }

    /**
     * Whether a transition is allowed.
     *
     * @param from the state left
     * @param to   the state entered
     * @return {@code true} when listed
     */
    static boolean allows(ConnectionState from, ConnectionState to) {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * Fails if a transition is not allowed.
     *
     * @param from the state left
     * @param to   the state entered
     * @throws IllegalStateException naming the transition
     */
    static void check(ConnectionState from, ConnectionState to) {
        if (!allows(from, to)) {
            throw new IllegalStateException("internal error: transition " + from + " -> " + to + " is not allowed");
        }
    }
}

package ai.alo.audio.impl;

import java.util.HashMap;
import java.util.Map;

/**
 * The requests of one connection that the server has not answered yet, by request id. A reply or an {@code error}
 * names the request it answers by its id; when the connection ends, whatever is still pending is dropped with it
 * (the connection's future and events report the end).
 *
 * <p>Thread-safe.
 */
final class PendingRequests {

    private final Map<String, String> typesById = new HashMap<>();
    private long next;
    private boolean closed;

    /**
     * Registers a request about to be sent.
     *
     * @param type the request's message type, such as {@code "join"}
     * @return its request id, unique on this connection
     */
    synchronized String register(String type) {
        String id = Long.toString(++next);
        if (!closed) {
            typesById.put(id, type);
        }
        return id;
    }

    /**
     * A reply or an error for a request id arrived.
     *
     * @param requestId the id it names, or null
     * @return the type of the request it answers, or null when no such request is pending
     */
    synchronized String answered(String requestId) {
        return requestId == null ? null : typesById.remove(requestId);
    }

    /**
     * Whether a request is still unanswered.
     *
     * @param requestId the id
     * @return {@code true} when pending
     */
    synchronized boolean isPending(String requestId) {
        return requestId != null && typesById.containsKey(requestId);
    }

    /** The connection ended: nothing is pending any more, and nothing will be. */
    synchronized void clear() {
        closed = true;
        typesById.clear();
    }

    synchronized int size() {
        return typesById.size();
    }
}

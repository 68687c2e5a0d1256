package ai.alo.audio.server;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts the WebSocket connections a server admitted, in total and per client IP address, against its caps. A
 * connection is admitted when its upgrade request arrives and released when its TCP connection closes. Thread-safe.
 */
final class ConnectionLimits {

    /** The outcome of an admission. */
    enum Admission {
        /** Within both caps; counted. */
        ADMITTED,
        /** The address holds its maximum (HTTP 429). */
        ADDRESS_FULL,
        /** The server holds its maximum (HTTP 503). */
        SERVER_FULL
    }

    private final int maxConnections;
    private final int maxPerAddress;
    // guarded by this
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    ConnectionLimits(int maxConnections, int maxPerAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Admits one more connection from an address if both caps allow it.
     *
     * @param address the client's IP address
     * @return the outcome; only {@link Admission#ADMITTED} is counted
     */
    synchronized Admission tryAdmit(String address) {
        if (total >= maxConnections) {
            return Admission.SERVER_FULL;
        }
        int ofAddress = perAddress.getOrDefault(address, 0);
        if (ofAddress >= maxPerAddress) {
            return Admission.ADDRESS_FULL;
        }
        perAddress.put(address, ofAddress + 1);
        total++;
        return Admission.ADMITTED;
    }

    /** Releases an admitted connection. */
    synchronized void release(String address) {
        Integer ofAddress = perAddress.get(address);
        if (ofAddress == null) {
            return;
        }
        if (ofAddress <= 1) {
            perAddress.remove(address);
        } else {
            perAddress.put(address, ofAddress - 1);
        }
        total--;
    }

    /** The admitted connections still open. */
    synchronized int total() {
        return total;
    }
}

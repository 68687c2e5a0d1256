package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds a connection's socket among this process's file descriptors ({@code /proc/self/fd}, links such as
 * {@code socket:[123456]}) and tells when it is gone: the moment the kernel object is released, whichever library
 * held it. Used to time the bare Tyrus twin's socket release and to check that ours is released when
 * {@code disconnect()} returns. Linux only; elsewhere {@link #available()} is false.
 */
final class SocketWatch {

    private static final Path FD = Path.of("/proc/self/fd");

    /** One socket: its descriptor number and the link text that identifies the kernel object. */
    record Socket(int fd, String link) {

        /** Whether the descriptor still refers to the same socket. */
        boolean isOpen() {
            try {
                return link.equals(Files.readSymbolicLink(FD.resolve(String.valueOf(fd))).toString());
            } catch (IOException e) {
                return false;
            }
        }
    }

    private SocketWatch() {
    }

    static boolean available() {
        return Files.isDirectory(FD);
    }

    /** The sockets this process holds now, by descriptor. */
    static Map<Integer, String> sockets() {
        Map<Integer, String> sockets = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD)) {
            for (Path entry : entries) {
                try {
                    String link = Files.readSymbolicLink(entry).toString();
                    if (link.startsWith("socket:")) {
                        sockets.put(Integer.parseInt(entry.getFileName().toString()), link);
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return sockets;
    }

    /**
     * The one socket that is in {@code after} but not in {@code before}.
     *
     * @return it, or null when there is not exactly one
     */
    static Socket added(Map<Integer, String> before, Map<Integer, String> after) {
        Socket found = null;
        for (Map.Entry<Integer, String> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                if (found != null) {
                    return null;
                }
                found = new Socket(e.getKey(), e.getValue());
            }
        }
        return found;
    }

    /**
     * Waits until the socket is released, checking every {@code pollNanos} (the thread parks in between, so that it
     * does not take a core from the threads doing the close; on Linux a park lasts at least the timer slack, about
     * 0.05 ms).
     *
     * @param socket    the socket
     * @param pollNanos pause between checks
     * @param maxNanos  give up after this long
     * @param polls     receives the number of checks made (index 0), may be null
     * @return the {@link System#nanoTime()} of the first check that found it released, or -1 on timeout
     */
    static long awaitReleased(Socket socket, long pollNanos, long maxNanos, long[] polls) {
        long deadline = System.nanoTime() + maxNanos;
        long count = 0;
        while (true) {
            count++;
            if (!socket.isOpen()) {
                if (polls != null) {
                    polls[0] += count;
                }
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                if (polls != null) {
                    polls[0] += count;
                }
                return -1;
            }
            LockSupport.parkNanos(pollNanos);
        }
    }
}

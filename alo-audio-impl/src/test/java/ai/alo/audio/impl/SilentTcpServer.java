package ai.alo.audio.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP server that accepts connections and never answers: a WebSocket handshake to it hangs. */
final class SilentTcpServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentTcpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    accepted.add(server.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-tcp-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/audio");
    }

    int acceptedCount() {
        return accepted.size();
    }

    /** Whether the peer closed every accepted connection (reads EOF or reset). */
    boolean allClosedByPeer() throws IOException {
        for (Socket socket : accepted) {
            socket.setSoTimeout(2000);
            try {
                if (socket.getInputStream().read(new byte[4096]) >= 0) {
                    // the handshake request; read again for EOF
                    while (socket.getInputStream().read(new byte[4096]) >= 0) {
                        continue;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                continue; // reset
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        acceptor.join(5000);
    }
}

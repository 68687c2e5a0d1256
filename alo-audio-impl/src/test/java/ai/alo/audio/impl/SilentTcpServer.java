package ai.alo.audio.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP server on loopback that plays a broken audio service during the WebSocket handshake: it never answers, or it
 * reads the upgrade request and then closes (FIN), resets (RST), or answers with an HTTP error. It records every byte
 * each connection sent, so a test can tell what the client wrote.
 */
final class SilentTcpServer implements AutoCloseable {

    /** What the server does with a connection. */
    enum Behaviour {
        /** Accepts and never answers: the handshake hangs. */
        SILENT,
        /** Reads the upgrade request, then closes the socket (FIN). */
        CLOSE_AFTER_REQUEST,
        /** Reads the upgrade request, then resets the socket (RST). */
        RESET_AFTER_REQUEST,
        /** Reads the upgrade request, answers {@code HTTP/1.1 503}, then closes. */
        HTTP_503
    }

    private final Behaviour behaviour;
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Map<Socket, ByteArrayOutputStream> received = new ConcurrentHashMap<>();
    private final List<Socket> closedByPeer = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    SilentTcpServer() throws IOException {
        this(Behaviour.SILENT);
    }

    SilentTcpServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    received.put(socket, new ByteArrayOutputStream());
                    accepted.add(socket);
                    if (behaviour != Behaviour.SILENT) {
                        serve(socket);
                    } else {
                        record(socket);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-tcp-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        readRequest(socket);
        switch (behaviour) {
            case RESET_AFTER_REQUEST:
                socket.setSoLinger(true, 0);
                socket.close();
                break;
            case HTTP_503:
                socket.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                socket.close();
                break;
            default:
                socket.close();
                break;
        }
    }

    /** Silent: a reader records what the client sends, until it closes; nothing is ever answered. */
    private void record(Socket socket) {
        Thread reader = new Thread(() -> {
            ByteArrayOutputStream bytes = received.get(socket);
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = socket.getInputStream().read(buffer)) >= 0) {
                    synchronized (bytes) {
                        bytes.write(buffer, 0, n);
                    }
                }
                closedByPeer.add(socket);
            } catch (IOException e) {
                closedByPeer.add(socket);
            }
        }, "silent-tcp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readRequest(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream bytes = received.get(socket);
        byte[] buffer = new byte[4096];
        while (!new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            bytes.write(buffer, 0, n);
        }
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/audio");
    }

    int acceptedCount() {
        return accepted.size();
    }

    /**
     * Whether the peer closed every accepted connection (EOF or reset) within 2 s. Only for {@link Behaviour#SILENT},
     * whose sockets stay open on this side.
     */
    boolean allClosedByPeer() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (closedByPeer.size() < accepted.size()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            synchronized (closedByPeer) {
                closedByPeer.wait(10);
            }
        }
        return true;
    }

    /**
     * Everything the client sent on its first connection, as text.
     *
     * @return the bytes read so far
     */
    String receivedOnFirst() {
        if (accepted.isEmpty()) {
            return "";
        }
        ByteArrayOutputStream bytes = received.get(accepted.get(0));
        synchronized (bytes) {
            return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

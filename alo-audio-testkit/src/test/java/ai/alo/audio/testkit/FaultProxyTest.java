package ai.alo.audio.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proxy on its own, with plain TCP sockets on 127.0.0.1 against an echo server or a sink. Timing bounds are
 * generous (shared, noisy machine): a fault that works shows up well inside them; the measured figures are printed.
 */
class FaultProxyTest {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    @Test
    void forwards_bothWays_andCounts() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address());
             Socket socket = connect(proxy)) {
            byte[] sent = "hello through the proxy".getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(sent);
            assertArrayEquals(sent, readExactly(socket.getInputStream(), sent.length));
            assertEquals(1, proxy.openConnections());
            assertEquals(1, proxy.connectionsAccepted());
            // the echo can reach the client a moment before the proxy's thread adds it to the counter
            assertTrue(ProcessResources.await(5_000, () -> proxy.bytesForwarded() == 2L * sent.length),
                    "bytes forwarded: " + proxy.bytesForwarded());
        }
    }

    @Test
    void endOfStream_isPassedOn_andTheConnectionReleased() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.builder(echo.address()).start();
             Socket socket = connect(proxy)) {
            proxy.latency(Duration.ofMillis(50));
            socket.getOutputStream().write("last words".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            // the bytes, then the echo server's own end of stream (it closes when it reads ours), all in order
            assertEquals("last words", new String(readExactly(socket.getInputStream(), 10), StandardCharsets.UTF_8));
            assertEquals(-1, socket.getInputStream().read());
            assertTrue(ProcessResources.await(5_000, () -> proxy.openConnections() == 0),
                    "open connections: " + proxy.openConnections());
        }
    }

    @Test
    void largeTransfer_arrivesWhole_inOrder() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.builder(echo.address()).bufferBytes(4096).start();
             Socket socket = connect(proxy)) {
            byte[] sent = new byte[3 * 1024 * 1024];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) (i * 31 + (i >>> 11));
            }
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(sent);
                } catch (IOException e) {
                    // the read below fails then
                }
            }, "test-writer");
            writer.start();
            byte[] received = readExactly(socket.getInputStream(), sent.length);
            writer.join(10_000);
            assertTrue(Arrays.equals(sent, received), "the echoed bytes differ");
        }
    }

    @Test
    void latency_withSmallBuffers_staysOrdered_andBoundsWhatIsHeld() throws Exception {
        int buffer = 4096;
        Duration latency = Duration.ofMillis(10);
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.builder(echo.address()).bufferBytes(buffer).start();
             Socket socket = connect(proxy)) {
            proxy.latency(latency);
            byte[] sent = new byte[512 * 1024];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) (i * 7 + (i >>> 9));
            }
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(sent);
                } catch (IOException e) {
                    // the read below fails then
                }
            }, "test-writer");
            writer.start();
            byte[] received = readExactly(socket.getInputStream(), sent.length);
            double seconds = (System.nanoTime() - start) / 1e9;
            writer.join(10_000);
            assertTrue(Arrays.equals(sent, received), "the echoed bytes differ");
            // at most one buffer per latency period can be in flight per direction: if the proxy read ahead without
            // bound, this would take about 20 ms, not over a second
            double bound = (double) sent.length / buffer * latency.toNanos() / 1e9;
            System.out.printf("512 KiB echoed through 4 KiB buffers with 10 ms latency: %.2f s (at least %.2f s)%n",
                    seconds, bound);
            assertTrue(seconds >= bound * 0.9, "took " + seconds + " s, below the buffer bound " + bound + " s");
        }
    }

    @Test
    void cut_resetsEveryConnection_bothSides_andNewOnesWork() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address());
             Socket first = connect(proxy);
             Socket second = connect(proxy)) {
            roundTrip(first);
            roundTrip(second);
            assertEquals(2, proxy.cut());
            assertEquals(0, proxy.openConnections());
            // a reset, not an end of stream: the read fails (or, at the latest, the next write does)
            assertThrows(SocketException.class, () -> {
                int n = first.getInputStream().read();
                first.getOutputStream().write(1);
                first.getOutputStream().write(1);
                throw new AssertionError("read " + n + " instead of a reset");
            });
            try (Socket third = connect(proxy)) {
                roundTrip(third);
            }
        }
    }

    @Test
    void blackHole_forwardsNothing_keepsSocketsOpen_thenDeliversWhatWasHeld() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address());
             Socket socket = connect(proxy)) {
            roundTrip(socket);
            proxy.blackHole(true);
            // read after the command: the proxy's thread counted everything it forwarded before it
            long before = proxy.bytesForwarded();
            assertEquals(32, before);
            assertTrue(proxy.isBlackHole());
            socket.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(1_500);
            // nothing comes back, and the socket is not closed (a read would return -1 or throw a reset)
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
            assertEquals(before, proxy.bytesForwarded());
            assertEquals(1, proxy.openConnections());

            proxy.blackHole(false);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            assertEquals("held", new String(readExactly(socket.getInputStream(), 4), StandardCharsets.UTF_8));
        }
    }

    @Test
    void latency_delaysEachDirection() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address());
             Socket socket = connect(proxy)) {
            long direct = roundTrip(socket);
            proxy.latency(Duration.ofMillis(200));
            assertEquals(Duration.ofMillis(200), proxy.latency());
            long delayed = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                delayed = Math.min(delayed, roundTrip(socket));
            }
            System.out.printf("round trip: %.2f ms without latency, %.2f ms with 200 ms each way%n",
                    direct / 1e6, delayed / 1e6);
            // twice 200 ms: never less (a chunk is never forwarded early), at most a generous bound more
            assertTrue(delayed >= TimeUnit.MILLISECONDS.toNanos(400), "round trip " + delayed / 1e6 + " ms");
            assertTrue(delayed < TimeUnit.MILLISECONDS.toNanos(2_000), "round trip " + delayed / 1e6 + " ms");

            proxy.latency(Duration.ZERO);
            long healed = roundTrip(socket);
            assertTrue(healed < TimeUnit.MILLISECONDS.toNanos(300), "round trip " + healed / 1e6 + " ms");
        }
    }

    @Test
    void throttle_limitsThroughput() throws Exception {
        try (LoopbackEchoServer sink = new LoopbackEchoServer(false);
             FaultProxy proxy = FaultProxy.start(sink.address());
             Socket socket = connect(proxy)) {
            long limit = 100_000;
            int size = 250_000;
            proxy.throttle(limit);
            assertEquals(limit, proxy.throttle());
            long start = System.nanoTime();
            socket.getOutputStream().write(new byte[size]);
            assertTrue(ProcessResources.await(30_000, () -> sink.received.get() == size),
                    "the sink got " + sink.received.get() + " bytes");
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = size / seconds;
            System.out.printf("throttled to %d B/s: %d bytes in %.2f s = %.0f B/s%n", limit, size, seconds, rate);
            // the bucket holds a tenth of a second: the rate can exceed the limit only by that burst
            assertTrue(rate <= limit * 1.15, "rate " + rate + " B/s above the limit " + limit);
            assertTrue(rate >= limit * 0.25, "rate " + rate + " B/s far below the limit " + limit);

            proxy.throttle(0);
            long unthrottledStart = System.nanoTime();
            socket.getOutputStream().write(new byte[size]);
            assertTrue(ProcessResources.await(30_000, () -> sink.received.get() == 2L * size));
            double unthrottled = size / ((System.nanoTime() - unthrottledStart) / 1e9);
            System.out.printf("unthrottled: %.0f B/s%n", unthrottled);
            assertTrue(unthrottled > limit * 3, "unthrottled rate " + unthrottled + " B/s");
        }
    }

    @Test
    void refuseNew_resetsNewConnectionsAtOnce_keepsOpenOnes() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address());
             Socket open = connect(proxy)) {
            roundTrip(open);
            proxy.refuseNew(true);
            try (Socket refused = connect(proxy)) {
                long start = System.nanoTime();
                assertThrows(IOException.class, () -> {
                    int n = refused.getInputStream().read();
                    throw new IOException("read " + n + " (an end of stream counts as refused too)");
                });
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            }
            assertEquals(1, proxy.connectionsRefused());
            roundTrip(open);
            proxy.refuseNew(false);
            try (Socket accepted = connect(proxy)) {
                roundTrip(accepted);
            }
        }
    }

    @Test
    void deadTarget_newConnectionIsReset() throws Exception {
        InetSocketAddress nobody;
        try (LoopbackEchoServer gone = new LoopbackEchoServer(true)) {
            nobody = gone.address();
        }
        try (FaultProxy proxy = FaultProxy.start(nobody); Socket socket = connect(proxy)) {
            assertThrows(IOException.class, () -> {
                int n = socket.getInputStream().read();
                throw new IOException("read " + n);
            });
            assertTrue(ProcessResources.await(5_000, () -> proxy.openConnections() == 0));
        }
    }

    @Test
    void heal_clearsEveryFault() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address())) {
            proxy.blackHole(true).latency(Duration.ofSeconds(1)).throttle(10).refuseNew(true);
            proxy.heal();
            assertFalse(proxy.isBlackHole());
            assertEquals(Duration.ZERO, proxy.latency());
            assertEquals(0, proxy.throttle());
            assertFalse(proxy.isRefusingNew());
            try (Socket socket = connect(proxy)) {
                roundTrip(socket);
            }
        }
    }

    @Test
    void uri_replacesHostAndPortOnly() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address())) {
            URI original = URI.create("ws://127.0.0.1:" + echo.address().getPort() + "/audio?x=1");
            assertEquals(URI.create("ws://127.0.0.1:" + proxy.port() + "/audio?x=1"), proxy.uri(original));
            assertEquals(URI.create("wss://127.0.0.1:" + proxy.port() + "/a"),
                    proxy.uri(URI.create("wss://localhost/a")));
            assertThrows(IllegalArgumentException.class, () -> proxy.uri(URI.create("mailto:someone")));
            assertThrows(NullPointerException.class, () -> proxy.uri(null));
        }
    }

    @Test
    void ipv6Loopback_works() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.builder(echo.address())
                     .bindAddress(InetAddress.getByName("::1")).start();
             Socket socket = new Socket(proxy.address().getAddress(), proxy.port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            roundTrip(socket);
            assertEquals("ws://[0:0:0:0:0:0:0:1]:" + proxy.port() + "/audio",
                    proxy.uri(URI.create("ws://127.0.0.1:1/audio")).toString());
        }
    }

    @Test
    void badArguments_areRefusedWithClearMessages() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true);
             FaultProxy proxy = FaultProxy.start(echo.address())) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> proxy.latency(Duration.ofMillis(-1)));
            assertTrue(negative.getMessage().contains("must not be negative"), negative.getMessage());
            assertThrows(IllegalArgumentException.class, () -> proxy.latency(Duration.ofDays(1)));
            assertThrows(NullPointerException.class, () -> proxy.latency(null));
            IllegalArgumentException throttle = assertThrows(IllegalArgumentException.class, () -> proxy.throttle(-5));
            assertTrue(throttle.getMessage().contains("-5"), throttle.getMessage());
        }
        // targets and bind addresses off the loopback interface: refused before any socket is opened
        IllegalArgumentException lan = assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.start(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80)));
        assertTrue(lan.getMessage().contains("10.1.2.3") && lan.getMessage().contains("loopback"), lan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.start(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 80)));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.start(URI.create("ws://alo.example.com:443/audio")));
        assertTrue(name.getMessage().contains("never looks names up"), name.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.start(InetSocketAddress.createUnresolved("alo.example.com", 80)));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start(URI.create("ws://192.168.1.10/audio")));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start(URI.create("ws://[fe80::1]:80/audio")));
        assertThrows(IllegalArgumentException.class, () -> FaultProxy.start(URI.create("/relative")));
        assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 80))
                        .bindAddress(InetAddress.getByName("10.1.2.3")));
        assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 80)).bufferBytes(10));
        assertThrows(IllegalArgumentException.class,
                () -> FaultProxy.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        // 127.0.0.0/8 is loopback, not only 127.0.0.1
        try (FaultProxy other = FaultProxy.start(URI.create("ws://127.0.0.2:9/audio"))) {
            assertEquals("127.0.0.2", other.target().getAddress().getHostAddress());
        }
    }

    @Test
    void close_isIdempotent_endsTheThread_releasesSockets_thenFaultsAreRefused() throws Exception {
        try (LoopbackEchoServer echo = new LoopbackEchoServer(true)) {
            // warm up what the JDK opens once (selector provider, socket classes)
            try (FaultProxy warm = FaultProxy.start(echo.address()); Socket socket = connect(warm)) {
                roundTrip(socket);
            }
            int fdsBefore = ProcessResources.fileDescriptors();
            FaultProxy proxy = FaultProxy.start(echo.address());
            String threadName = "alo-testkit-proxy-" + proxy.port();
            assertEquals(1, ProcessResources.threadsNamed(threadName).size());
            Socket client = connect(proxy);
            roundTrip(client);
            proxy.latency(Duration.ofMillis(50)).throttle(1_000_000);

            proxy.close();
            proxy.close();
            assertFalse(proxy.isRunning());
            assertEquals(0, ProcessResources.threadsNamed(threadName).size());
            assertEquals(0, proxy.openConnections());
            // the proxy's end of the connection is gone: the client sees the end of the stream (or a reset)
            client.setSoTimeout(READ_TIMEOUT_MILLIS);
            try {
                assertEquals(-1, client.getInputStream().read());
            } catch (SocketException reset) {
                // also fine: closed with bytes unread
            }
            client.close();
            assertTrue(ProcessResources.await(5_000, () -> ProcessResources.fileDescriptors() <= fdsBefore),
                    "file descriptors: " + fdsBefore + " before, " + ProcessResources.fileDescriptors() + " after");
            IllegalStateException closed = assertThrows(IllegalStateException.class, proxy::cut);
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            assertThrows(IllegalStateException.class, () -> proxy.blackHole(true));
            // connecting to a closed proxy is refused by the kernel
            assertThrows(IOException.class, () -> connect(proxy).close());
        }
    }

    // ------------------------------------------------------------------ helpers

    static Socket connect(FaultProxy proxy) throws IOException {
        Socket socket = new Socket(proxy.address().getAddress(), proxy.port());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Sends 16 bytes through an echo and reads them back; returns the round trip in nanoseconds. */
    static long roundTrip(Socket socket) throws IOException {
        byte[] probe = new byte[16];
        Arrays.fill(probe, (byte) 'p');
        long start = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        out.write(probe);
        out.flush();
        assertArrayEquals(probe, readExactly(socket.getInputStream(), probe.length));
        return System.nanoTime() - start;
    }

    static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            int n = in.read(out, done, length - done);
            if (n < 0) {
                throw new IOException("end of stream after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return out;
    }
}

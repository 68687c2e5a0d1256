package ai.alo.audio.impl.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TCP layer of the runtime's socket I/O: bounded write queue, ordered writes, descriptor released once. */
class TcpConnectionTest {

    private IoLoop loop;
    private ServerSocket server;

    @BeforeEach
    void start() throws IOException {
        loop = new IoLoop(task -> {
            Thread thread = new Thread(task, "test-io");
            thread.setDaemon(true);
            return thread;
        });
        loop.start();
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws Exception {
        loop.stop();
        loop.terminated().get(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void peerThatStopsReading_failsTheConnectionAtTheQueueBound_insteadOfGrowingIt() throws Exception {
        Recorder recorder = new Recorder();
        int bound = 256 * 1024;
        TcpConnection connection = TcpConnection.create(loop, null, recorder, bound);
        connection.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        try (Socket peer = server.accept()) {
            assertTrue(recorder.connected.await(5, TimeUnit.SECONDS));
            AtomicInteger failedWrites = new AtomicInteger();
            // the kernel's buffers take some megabytes; then the queue fills and the connection fails
            for (int i = 0; i < 4096 && recorder.failure.isEmpty(); i++) {
                connection.write(ByteBuffer.allocate(16 * 1024), new TcpConnection.WriteCallback() {
                    @Override
                    public void completed() {
                    }

                    @Override
                    public void failed(IOException cause) {
                        failedWrites.incrementAndGet();
                    }
                });
            }
            IOException cause = recorder.failure.poll(10, TimeUnit.SECONDS);
            assertNotNull(cause, "the connection failed");
            assertTrue(cause.getMessage().contains("the peer is not reading"), cause.getMessage());
            assertTrue(recorder.released.await(5, TimeUnit.SECONDS), "its descriptor was released");
            assertTrue(failedWrites.get() > 0, "queued writes were failed, not kept");
            assertEquals(1, recorder.releases.get());
        }
    }

    @Test
    void writesFromManyThreads_arriveWholeAndInOrderPerThread() throws Exception {
        Recorder recorder = new Recorder();
        TcpConnection connection = TcpConnection.create(loop, null, recorder, 64 * 1024 * 1024);
        connection.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        try (Socket peer = server.accept()) {
            assertTrue(recorder.connected.await(5, TimeUnit.SECONDS));
            int threads = 4;
            int perThread = 2000;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                byte tag = (byte) ('a' + t);
                new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        // a record: tag, then its sequence number in two bytes
                        connection.write(ByteBuffer.wrap(new byte[] {tag, (byte) (i >> 8), (byte) i}), null);
                    }
                    done.countDown();
                }).start();
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            int[] next = new int[threads];
            InputStream in = peer.getInputStream();
            byte[] record = new byte[3];
            for (int n = 0; n < threads * perThread; n++) {
                int read = 0;
                while (read < 3) {
                    read += in.read(record, read, 3 - read);
                }
                int t = record[0] - 'a';
                int seq = ((record[1] & 0xff) << 8) | (record[2] & 0xff);
                assertEquals(next[t], seq, "writes of one thread stay in order and whole");
                next[t]++;
            }
            connection.close();
            assertTrue(recorder.released.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void finishWriting_thenPeerCloses_releasesOnce() throws Exception {
        Recorder recorder = new Recorder();
        TcpConnection connection = TcpConnection.create(loop, null, recorder, 1024 * 1024);
        connection.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        try (Socket peer = server.accept()) {
            assertTrue(recorder.connected.await(5, TimeUnit.SECONDS));
            connection.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), null);
            connection.finishWriting();
            InputStream in = peer.getInputStream();
            assertEquals(1, in.read());
            assertEquals(2, in.read());
            assertEquals(3, in.read());
            assertEquals(-1, in.read(), "FIN after the queued bytes");
            assertEquals(1, recorder.released.getCount(), "still open for reading until the peer closes");
            peer.close();
            assertTrue(recorder.released.await(5, TimeUnit.SECONDS));
            connection.close();
            assertEquals(1, recorder.releases.get());
        }
    }

    private static final class Recorder implements TcpConnection.Handler {
        final CountDownLatch connected = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger releases = new AtomicInteger();
        final BlockingQueue<IOException> failure = new LinkedBlockingQueue<>();

        @Override
        public void onConnected() {
            connected.countDown();
        }

        @Override
        public void onData(ByteBuffer data) {
        }

        @Override
        public void onInputEnded() {
        }

        @Override
        public void onFailed(IOException cause) {
            failure.add(cause);
        }

        @Override
        public void onReleased() {
            releases.incrementAndGet();
            released.countDown();
        }
    }
}

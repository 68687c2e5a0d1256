package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Selector;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the primitives a disconnect is made of cost on this machine, measured in the client JVM with idle threads, to
 * read the other numbers against: waking a parked thread, waking a thread blocked in a {@link Selector} (how the
 * socket I/O thread is handed work), one small loopback TCP write (the {@code leave} and close frames are each one
 * such write on the calling thread), and a loopback TCP round trip between two threads (the floor of anything that
 * waits for the server to answer).
 */
final class MachineBaseline {

    final Samples wakeup = new Samples("wake a parked thread (SynchronousQueue hand-off)");
    final Samples selectorWakeup = new Samples("wake a thread blocked in Selector.select()");
    final Samples loopbackWrite = new Samples("one 16-byte loopback TCP write, reader parked");
    final Samples loopbackRoundTrip = new Samples("loopback TCP round trip, 16 bytes, between two parked threads");

    void run(int iterations) throws Exception {
        measureWakeup(iterations);
        measureSelectorWakeup(iterations);
        measureWriteAndRoundTrip(iterations);
    }

    private void measureWakeup(int iterations) throws InterruptedException {
        SynchronousQueue<Long> ping = new SynchronousQueue<>();
        SynchronousQueue<Long> pong = new SynchronousQueue<>();
        Thread waiter = daemon(() -> {
            try {
                while (true) {
                    long sent = ping.take();
                    if (sent < 0) {
                        return;
                    }
                    pong.put(System.nanoTime() - sent);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "baseline-waiter");
        try {
            for (int i = 0; i < iterations; i++) {
                Thread.sleep(1); // the waiter is parked again, not spinning
                ping.put(System.nanoTime());
                wakeup.add(pong.take());
            }
        } finally {
            ping.put(-1L);
            waiter.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private void measureSelectorWakeup(int iterations) throws IOException, InterruptedException {
        try (Selector selector = Selector.open()) {
            AtomicLong woke = new AtomicLong();
            SynchronousQueue<Long> done = new SynchronousQueue<>();
            Thread loop = daemon(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        selector.select();
                        long now = System.nanoTime();
                        long sent = woke.getAndSet(0);
                        if (sent < 0) {
                            return;
                        }
                        if (sent > 0) {
                            done.put(now - sent);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // ends
                }
            }, "baseline-selector");
            for (int i = 0; i < iterations; i++) {
                Thread.sleep(1);
                woke.set(System.nanoTime());
                selector.wakeup();
                selectorWakeup.add(done.take());
            }
            woke.set(-1);
            selector.wakeup();
            loop.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private void measureWriteAndRoundTrip(int iterations) throws IOException, InterruptedException {
        byte[] frame = new byte[16];
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket server = listener.accept()) {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            Thread echo = daemon(() -> {
                byte[] buffer = new byte[16];
                try (InputStream in = server.getInputStream(); OutputStream out = server.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "baseline-echo");
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            byte[] answer = new byte[16];
            for (int i = 0; i < iterations; i++) {
                Thread.sleep(1); // the echo thread is parked again
                long start = System.nanoTime();
                out.write(frame);
                long written = System.nanoTime();
                int got = 0;
                while (got < 16) {
                    int n = in.read(answer, got, 16 - got);
                    if (n < 0) {
                        throw new IOException("echo closed");
                    }
                    got += n;
                }
                long back = System.nanoTime();
                loopbackWrite.add(written - start);
                loopbackRoundTrip.add(back - start);
            }
            client.shutdownOutput();
            echo.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}

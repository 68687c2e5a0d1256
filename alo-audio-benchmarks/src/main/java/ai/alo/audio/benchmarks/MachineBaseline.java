package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the primitives that a disconnect is made of cost on this machine, to read the other numbers against: waking a
 * parked thread, starting and joining a thread, and one small loopback TCP write (the {@code leave} and close frames
 * are each one such write on the calling thread).
 */
final class MachineBaseline {

    final Samples wakeup = new Samples("wake a parked thread");
    final Samples threadStartJoin = new Samples("start + join an empty thread");
    final Samples loopbackWrite = new Samples("16-byte loopback TCP write");

    void run(int iterations) throws Exception {
        measureWakeup(iterations);
        measureThreads(iterations);
        measureWrite(iterations);
    }

    private void measureWakeup(int iterations) throws InterruptedException {
        SynchronousQueue<Long> ping = new SynchronousQueue<>();
        SynchronousQueue<Long> pong = new SynchronousQueue<>();
        Thread waiter = new Thread(() -> {
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
        waiter.setDaemon(true);
        waiter.start();
        try {
            for (int i = 0; i < iterations; i++) {
                DisconnectBenchmark.settle(1); // the waiter is parked again, not spinning
                ping.put(System.nanoTime());
                wakeup.add(pong.take());
            }
        } finally {
            ping.put(-1L);
            waiter.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private void measureThreads(int iterations) throws InterruptedException {
        for (int i = 0; i < iterations; i++) {
            Thread thread = new Thread(() -> { }, "baseline-empty");
            long start = System.nanoTime();
            thread.start();
            thread.join();
            threadStartJoin.add(System.nanoTime() - start);
        }
    }

    private void measureWrite(int iterations) throws IOException, InterruptedException {
        byte[] frame = new byte[16];
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket server = listener.accept()) {
            client.setTcpNoDelay(true);
            Thread drain = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = server.getInputStream()) {
                    while (in.read(buffer) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "baseline-drain");
            drain.setDaemon(true);
            drain.start();
            OutputStream out = client.getOutputStream();
            for (int i = 0; i < iterations; i++) {
                DisconnectBenchmark.settle(1); // the reader is parked again
                long start = System.nanoTime();
                out.write(frame);
                loopbackWrite.add(System.nanoTime() - start);
            }
            client.shutdownOutput();
            drain.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}

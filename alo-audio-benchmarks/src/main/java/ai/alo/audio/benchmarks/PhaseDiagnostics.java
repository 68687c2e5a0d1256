package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.impl.ws.SignallingConnection;
import ai.alo.audio.impl.ws.SignallingHandler;
import ai.alo.audio.impl.ws.TyrusTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of {@code disconnect()} goes, measured from the outside without changing the client:
 *
 * <ol>
 *   <li><b>Client threads.</b> A real {@link AloAudio} whose configured thread factory is a
 *       {@link StampingThreadFactory}: for every thread of a connection, when its task returned relative to the
 *       {@code disconnect()} call, grouped by the code that created the thread.</li>
 *   <li><b>Transport steps.</b> The client's own transport ({@link TyrusTransport}, public) driven step by step in the
 *       order {@code ConnectionAttempt.release} uses: shut the attempt's timer down, queue {@code leave},
 *       {@code close(1000)}, {@code release()} (session executors and {@code ClientManager.shutdown()}), then wait for
 *       every thread of the connection; each step stamped.</li>
 * </ol>
 */
final class PhaseDiagnostics {

    private static final long SETUP_TIMEOUT_SECONDS = 10;

    /** Per-role samples of "thread ended, relative to the call". */
    final Map<String, Samples> threadEnds = new LinkedHashMap<>();
    /** Per-role count of threads per connection (from the last iteration). */
    final Map<String, Integer> threadsPerConnection = new LinkedHashMap<>();
    final Samples clientDisconnect = new Samples("disconnect() with a stamping thread factory");
    final Samples clientLastThreadEnded = new Samples("last connection thread ended");
    final Samples clientReturnAfterLastThread = new Samples("disconnect() returned after the last thread ended");
    final Samples clientEvent = new Samples("DisconnectEvent delivered");
    final Samples clientEventAfterReturn = new Samples("DisconnectEvent delivered after disconnect() returned");
    int threadsStartedDuringDisconnect;

    final Samples stepTimers = new Samples("attempt timer shutdownNow()");
    final Samples stepLeave = new Samples("send(leave) queued");
    final Samples stepClose = new Samples("close(1000)");
    final Samples stepRelease = new Samples("release(): executors + ClientManager.shutdown()");
    final Samples stepJoin = new Samples("wait for the connection's threads");
    final Samples stepTotal = new Samples("total");
    final Map<String, Samples> stepThreadEnds = new LinkedHashMap<>();
    final Samples transportResetClosed = new Samples("reset -> transport onClosed");

    MachineBaseline baseline;

    private final URI uri;
    private final long settleMillis;

    PhaseDiagnostics(URI uri, long settleMillis) {
        this.uri = uri;
        this.settleMillis = settleMillis;
    }

    /** Part 1: the real client with a stamping thread factory. */
    void runClient(String userId, String token, int warmup, int iterations) throws Exception {
        StampingThreadFactory factory = new StampingThreadFactory("stamped");
        AudioChannel channel = AudioChannel.pushToTalk(userId, userId);
        BlockingQueue<Long> disconnects = new LinkedBlockingQueue<>();
        BlockingQueue<Long> joined = new LinkedBlockingQueue<>();
        try (AloAudio audio = AloAudio.create(AloAudioConfig.builder()
                .name("phases")
                .serverUri(uri)
                .user(AudioUser.of(userId, "Phases"))
                .userAuthToken(token)
                .threadFactory(factory)
                .build())) {
            audio.addListener(new AloAudioListener() {
                @Override
                public void onDisconnect(DisconnectEvent event) {
                    disconnects.add(System.nanoTime());
                }

                @Override
                public void onParticipantsChanged(ParticipantsChangedEvent event) {
                    joined.add(System.nanoTime());
                }
            });
            for (int i = 0; i < warmup + iterations; i++) {
                boolean measured = i >= warmup;
                int mark = factory.count();
                audio.connect(channel).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (joined.poll(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS) == null) {
                    throw new IllegalStateException("phases: no participant list after connect");
                }
                DisconnectBenchmark.settle(settleMillis);
                long start = System.nanoTime();
                audio.disconnect();
                long returned = System.nanoTime();
                if (audio.state() != ConnectionState.DISCONNECTED) {
                    throw new IllegalStateException("phases: state after disconnect() is " + audio.state());
                }
                Long event = disconnects.poll(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (event == null) {
                    throw new IllegalStateException("phases: no DisconnectEvent");
                }
                if (!measured) {
                    continue;
                }
                clientDisconnect.add(returned - start);
                clientEvent.add(event - start);
                clientEventAfterReturn.add(Math.max(0, event - returned));
                long last = start;
                Map<String, Integer> perRole = new LinkedHashMap<>();
                for (StampingThreadFactory.Stamped t : factory.since(mark)) {
                    if (t.createdAt > start) {
                        threadsStartedDuringDisconnect++;
                    }
                    if (t.role.startsWith("EventDispatcher")) {
                        continue; // the client's dispatcher outlives connections (5 s idle timeout)
                    }
                    perRole.merge(t.role, 1, Integer::sum);
                    long ended = t.endedAt;
                    if (ended == 0 || ended < start) {
                        continue; // still running (would be a leak), or ended before the call (connector)
                    }
                    threadEnds.computeIfAbsent(t.role, r -> new Samples(r)).add(ended - start);
                    last = Math.max(last, ended);
                }
                threadsPerConnection.clear();
                threadsPerConnection.putAll(perRole);
                clientLastThreadEnded.add(last - start);
                clientReturnAfterLastThread.add(Math.max(0, returned - last));
            }
        }
    }

    /** A joined connection of the client's transport, with what the benchmark needs to drive it. */
    private record Opened(SignallingConnection connection, StampingThreadFactory factory,
                          ScheduledThreadPoolExecutor timers, CountDownLatch closed, long[] closedAt,
                          int[] closeCode) {
    }

    /** Opens the client's transport like {@code ConnectionAttempt} does and joins the channel. */
    private Opened open(TyrusTransport transport, String userId, String token, String name) throws Exception {
        String channelId = userId;
        StampingThreadFactory factory = new StampingThreadFactory(name);
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        long[] closedAt = new long[1];
        int[] closeCode = new int[1];
        CountDownLatch closed = new CountDownLatch(1);
        SignallingConnection connection = transport.newConnection(uri, token, 64 * 1024,
                Duration.ofSeconds(SETUP_TIMEOUT_SECONDS), factory, new SignallingHandler() {
                    @Override
                    public void onOpen() {
                    }

                    @Override
                    public void onText(String text) {
                        messages.add(text);
                    }

                    @Override
                    public void onBinary() {
                    }

                    @Override
                    public void onClosed(int code, String phrase) {
                        closedAt[0] = System.nanoTime();
                        closeCode[0] = code;
                        closed.countDown();
                    }

                    @Override
                    public void onError(Throwable error) {
                    }
                });
        // like ConnectionAttempt: a timer thread (heartbeat) and a connector thread, from the same factory
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, factory);
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        Exception[] failure = new Exception[1];
        Thread connector = factory.newThread(() -> {
            try {
                connection.open();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        connector.start();
        connector.join(TimeUnit.SECONDS.toMillis(SETUP_TIMEOUT_SECONDS));
        if (failure[0] != null || !connection.isOpen()) {
            timers.shutdownNow();
            connection.release();
            throw new IllegalStateException("phases: transport did not open", failure[0]);
        }
        connection.send("{\"type\":\"hello\",\"client\":\"phases\",\"heartbeat\":{\"intervalMs\":1000,"
                + "\"timeoutMs\":2500},\"protocol\":1,\"ttsEnabled\":false,\"user\":{\"deviceId\":\"\",\"id\":\""
                + userId + "\",\"name\":\"Phases\"}}");
        await(messages, "welcome");
        timers.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS);
        timers.schedule(() -> { }, 2500, TimeUnit.MILLISECONDS);
        connection.send("{\"type\":\"join\",\"channel\":{\"fullDuplex\":false,\"id\":\"" + channelId
                + "\",\"name\":\"" + channelId + "\"}}");
        await(messages, "joined");
        return new Opened(connection, factory, timers, closed, closedAt, closeCode);
    }

    /** Waits for the connection's {@code onClosed}, then releases it like a failed attempt is released. */
    private static long awaitClosedAndRelease(Opened opened) throws InterruptedException {
        boolean closed = opened.closed().await(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long closedAt = opened.closedAt()[0];
        opened.timers().shutdownNow();
        opened.connection().release();
        for (StampingThreadFactory.Stamped t : opened.factory().since(0)) {
            t.thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        if (!closed) {
            throw new IllegalStateException("phases: the transport reported no close after the reset");
        }
        return closedAt;
    }

    /** Part 2: the client's transport, step by step. */
    void runTransport(String userId, String token, int warmup, int iterations) throws Exception {
        TyrusTransport transport = new TyrusTransport();
        String channelId = userId;
        for (int i = 0; i < warmup + iterations; i++) {
            boolean measured = i >= warmup;
            Opened opened = open(transport, userId, token, "step-" + i);
            SignallingConnection connection = opened.connection();
            StampingThreadFactory factory = opened.factory();
            DisconnectBenchmark.settle(settleMillis);

            long start = System.nanoTime();
            opened.timers().shutdownNow();
            long timersDone = System.nanoTime();
            connection.send("{\"type\":\"leave\",\"channelId\":\"" + channelId + "\"}");
            long leaveQueued = System.nanoTime();
            connection.close(1000, "disconnect");
            long closed = System.nanoTime();
            connection.release();
            long released = System.nanoTime();
            List<String> alive = new ArrayList<>();
            for (StampingThreadFactory.Stamped t : factory.since(0)) {
                t.thread.join(TimeUnit.SECONDS.toMillis(5));
                if (t.thread.isAlive()) {
                    alive.add(t.thread.getName());
                }
            }
            long joined = System.nanoTime();
            if (!alive.isEmpty()) {
                throw new IllegalStateException("phases: transport threads still alive " + alive);
            }
            if (!measured) {
                continue;
            }
            stepTimers.add(timersDone - start);
            stepLeave.add(leaveQueued - timersDone);
            stepClose.add(closed - leaveQueued);
            stepRelease.add(released - closed);
            stepJoin.add(joined - released);
            stepTotal.add(joined - start);
            for (StampingThreadFactory.Stamped t : factory.since(0)) {
                if (t.endedAt >= start) {
                    stepThreadEnds.computeIfAbsent(t.role, r -> new Samples(r)).add(t.endedAt - start);
                }
            }
        }
    }

    /**
     * Part 2b: the server resets a connection of the client's transport; from the server's own stamp (see
     * {@link BenchmarkServer}) to the transport's {@code onClosed}, that is, before the client's state machine and
     * its event dispatcher.
     */
    void runTransportReset(ServerProcess server, String userId, String token, int warmup, int iterations)
            throws Exception {
        TyrusTransport transport = new TyrusTransport();
        for (int i = 0; i < warmup + iterations; i++) {
            Opened opened = open(transport, userId, token, "reset-" + i);
            DisconnectBenchmark.settle(settleMillis);
            long written = System.nanoTime();
            ServerProcess.Drop drop = server.drop(userId);
            long closedAt = awaitClosedAndRelease(opened);
            if (!drop.dropped() || opened.closeCode()[0] != 1006) {
                throw new IllegalStateException("phases: reset not seen as 1006 (" + opened.closeCode()[0] + ")");
            }
            if (i >= warmup) {
                long start = drop.beforeNanos() >= written && drop.beforeNanos() <= closedAt ? drop.beforeNanos()
                        : written;
                transportResetClosed.add(closedAt - start);
            }
        }
    }

    private static void await(BlockingQueue<String> messages, String type) throws InterruptedException {
        String marker = "\"type\":\"" + type + "\"";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETUP_TIMEOUT_SECONDS);
        while (true) {
            String message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new IllegalStateException("phases: no '" + type + "' from the server");
            }
            if (message.contains(marker)) {
                return;
            }
        }
    }

    /** The two tables of the breakdown, as Markdown. */
    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("### Phase breakdown of `disconnect()`\n\n");
        md.append("All times in ms after the `disconnect()` call (p50 / p90 / p99 / max), n = ")
                .append(clientDisconnect.count()).append(".\n\n");
        md.append("**1. Real client, every thread stamped when its task returned** (client configured with a stamping "
                + "thread factory; threads grouped by the code that created them)\n\n");
        md.append("| what | threads per connection | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Samples> e : threadEnds.entrySet()) {
            row(md, StampingThreadFactory.describe(e.getKey()) + " thread ended <sub>(created at `" + e.getKey()
                    + "`)</sub>",
                    String.valueOf(threadsPerConnection.getOrDefault(e.getKey(), 0)), e.getValue());
        }
        row(md, "last connection thread ended", "", clientLastThreadEnded);
        row(md, "`disconnect()` returned", "", clientDisconnect);
        row(md, "&nbsp;&nbsp;of which: after the last thread ended", "", clientReturnAfterLastThread);
        row(md, "`DisconnectEvent` delivered", "", clientEvent);
        row(md, "&nbsp;&nbsp;of which: after `disconnect()` returned", "", clientEventAfterReturn);
        md.append("\nThreads started during `disconnect()`: ").append(threadsStartedDuringDisconnect).append(".\n\n");
        md.append("**2. The client's transport (`TyrusTransport`) driven step by step**, in the order of "
                + "`ConnectionAttempt.release`\n\n");
        md.append("| step | | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        row(md, "attempt timer `shutdownNow()`", "", stepTimers);
        row(md, "`send(leave)` (queued)", "", stepLeave);
        row(md, "`close(1000)` (Tyrus `session.close`)", "", stepClose);
        row(md, "`release()`: session executors + `ClientManager.shutdown()`", "", stepRelease);
        row(md, "wait until every thread of the connection ended", "", stepJoin);
        row(md, "**total**", "", stepTotal);
        for (Map.Entry<String, Samples> e : stepThreadEnds.entrySet()) {
            row(md, "&nbsp;&nbsp;" + StampingThreadFactory.describe(e.getKey()) + " thread ended (since start)", "",
                    e.getValue());
        }
        if (!transportResetClosed.isEmpty()) {
            md.append("\n**2b. Server reset seen by the client's transport** (ms from the server's reset; compare with "
                    + "3a and 3a' above: the difference to 3a is the client's state machine and event dispatch)\n\n");
            md.append("| | | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
            row(md, "`TyrusTransport` connection: `SignallingHandler.onClosed(1006)` called", "",
                    transportResetClosed);
        }
        if (baseline != null) {
            md.append("\n**3. This machine's primitives** (same JVM, idle threads; ms)\n\n");
            md.append("| primitive | | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
            row(md, "wake a parked thread (hand-off through a `SynchronousQueue`)", "", baseline.wakeup);
            row(md, "start + join an empty thread", "", baseline.threadStartJoin);
            row(md, "one 16-byte loopback TCP write, reader parked", "", baseline.loopbackWrite);
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, String extra, Samples s) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", what, extra,
                Samples.ms3(s.p50()), Samples.ms3(s.p90()), Samples.ms3(s.p99()), Samples.ms3(s.max())));
    }
}

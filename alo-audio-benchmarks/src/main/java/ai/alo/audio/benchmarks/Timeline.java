package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.impl.runtime.ClientRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A once-a-second record of a scale run while clients connect and ping: how many are connected and how many have
 * ended (by cause), the heartbeat round trips of that second, and the CPU of the client, the server and the whole
 * machine. It shows when and why a run stops holding its clients.
 */
final class Timeline implements AutoCloseable {

    /** One second. */
    record Sample(double seconds, String phase, int started, int connected, int heartbeatTimeouts,
                  int serverHeartbeatTimeouts, int otherEnds, long roundTrips, double rttP50Ms, double rttP99Ms,
                  double clientCpu, double serverCpu, double machineBusy, int eventBacklog, long clientGcMaxMs,
                  long serverGcMaxMs) {

        double othersCpu() {
            return ScaleBenchmark.others(machineBusy, clientCpu, serverCpu);
        }
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    volatile String phase = "ramp";
    volatile int started;

    Timeline(ClientRuntime rt, AloAudio[] clients, ServerProcess server, AtomicInteger heartbeatTimeouts,
             AtomicInteger serverHeartbeatTimeouts, AtomicInteger otherEnds) {
        long origin = System.nanoTime();
        GcWatch.install();
        GcWatch.takeWindowMax();
        thread = new Thread(() -> {
            long last = System.nanoTime();
            long cpu = ProcStats.cpuNanos();
            long serverCpu = server.cpuNanosFromProc();
            long[] busy = RunInfo.machineCpuTicks();
            long[] hb = rt.metrics().heartbeatRoundTrip().bucketCounts();
            while (!stop) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                long cpuNow = ProcStats.cpuNanos();
                long serverNow = server.cpuNanosFromProc();
                long[] busyNow = RunInfo.machineCpuTicks();
                long[] hbNow = rt.metrics().heartbeatRoundTrip().bucketCounts();
                long[] delta = new long[hbNow.length];
                long trips = 0;
                for (int b = 0; b < delta.length; b++) {
                    delta[b] = hbNow[b] - hb[b];
                    trips += delta[b];
                }
                int connected = 0;
                for (AloAudio client : clients) {
                    if (client != null && client.state() == ConnectionState.CONNECTED) {
                        connected++;
                    }
                }
                double wall = now - last;
                long serverGc;
                try {
                    serverGc = server.isAlive() ? server.stats(false).gcWindowMaxMillis() : -1;
                } catch (RuntimeException e) {
                    serverGc = -1;
                }
                Sample s = new Sample((now - origin) / 1e9, phase, started, connected, heartbeatTimeouts.get(),
                        serverHeartbeatTimeouts.get(), otherEnds.get(), trips, ScaleBenchmark.quantile(delta, 0.5),
                        ScaleBenchmark.quantile(delta, 0.99), 100.0 * (cpuNow - cpu) / wall,
                        serverNow < 0 || serverCpu < 0 ? Double.NaN : 100.0 * (serverNow - serverCpu) / wall,
                        RunInfo.busyPercent(busy, busyNow), rt.events().backlog(), GcWatch.takeWindowMax(),
                        serverGc);
                synchronized (samples) {
                    samples.add(s);
                }
                last = now;
                cpu = cpuNow;
                serverCpu = serverNow;
                busy = busyNow;
                hb = hbNow;
            }
        }, "bench-timeline");
        thread.setDaemon(true);
        thread.start();
    }

    List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A Markdown table of the samples, at most about {@code rows} rows: seconds grouped evenly, each row the last
     * second of its group (GC pauses: the longest in the group).
     */
    static String markdown(List<Sample> samples, int rows) {
        StringBuilder md = new StringBuilder();
        md.append("| s | phase | connects started | connected | ended: client heartbeat timeout / server heartbeat "
                + "timeout / other | heartbeat round trips that second, p50 / p99 (ms, bucket bounds) | CPU client / "
                + "server / other processes (% of one core) | machine busy | longest GC pause client / server (ms) | "
                + "client queues waiting for an event thread |\n");
        md.append("|---:|---|---:|---:|---|---|---|---:|---|---:|\n");
        int step = Math.max(1, (samples.size() + rows - 1) / rows);
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            boolean phaseChange = i + 1 < samples.size() && !samples.get(i + 1).phase().equals(s.phase());
            if ((i + 1) % step != 0 && i != samples.size() - 1 && !phaseChange) {
                continue;
            }
            long clientGc = 0;
            long serverGc = 0;
            for (int j = Math.max(0, i - step + 1); j <= i; j++) {
                clientGc = Math.max(clientGc, samples.get(j).clientGcMaxMs());
                serverGc = Math.max(serverGc, samples.get(j).serverGcMaxMs());
            }
            md.append(String.format(Locale.ROOT, "| %.0f | %s | %,d | %,d | %,d / %,d / %,d | %,d; %s / %s "
                            + "| %.0f / %.0f / %.0f | %.0f%% | %d / %d | %d |%n", s.seconds(), s.phase(), s.started(),
                    s.connected(),
                    s.heartbeatTimeouts(), s.serverHeartbeatTimeouts(), s.otherEnds(), s.roundTrips(),
                    bound(s.rttP50Ms()), bound(s.rttP99Ms()), s.clientCpu(), s.serverCpu(), s.othersCpu(),
                    s.machineBusy(), clientGc, serverGc, s.eventBacklog()));
        }
        return md.toString();
    }

    private static String bound(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        if (Double.isInfinite(ms)) {
            return "> 5000";
        }
        return ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms);
    }
}

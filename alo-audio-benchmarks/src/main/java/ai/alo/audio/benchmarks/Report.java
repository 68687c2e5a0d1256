package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The benchmark's results and their Markdown form: a header describing the machine and the run, one table with every
 * scenario beside its bare Tyrus twin, the checks that were made on every iteration, and the phase breakdown.
 */
final class Report {

    static final long DISCONNECT_P99_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long KILL_TO_EVENT_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final double RATIO_TARGET = 2.0;

    private final BenchmarkOptions options;
    private final String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    private final String loadAtStart = loadAverage();
    private final long[] cpuAtStart = cpuTicks();
    private String cpuBusy = "n/a";
    private String loadAtEnd = "";
    private long startNanos = System.nanoTime();
    private long elapsedNanos;

    final Samples oursDisconnect = new Samples("ours disconnect()");
    final Samples oursEvent = new Samples("ours DisconnectEvent");
    final Samples oursEventAfterReturn = new Samples("ours DisconnectEvent after disconnect() returned");
    final Samples bareClose = new Samples("bare close");
    final Samples bareReleased = new Samples("bare close + shutdown + threads");
    final Samples bareOnClose = new Samples("bare onClose");
    final Samples bareStepLeave = new Samples("bare leave queued");
    final Samples bareStepClose = new Samples("bare session.close");
    final Samples bareStepShutdown = new Samples("bare ClientManager.shutdown");
    final Samples bareStepJoin = new Samples("bare join");
    final Samples oursReset = new Samples("ours reset");
    final Samples bareReset = new Samples("bare reset");
    final Samples resetCommandDelivery = new Samples("reset command delivery");
    final Samples oursKill = new Samples("ours SIGKILL");
    final Samples bareKill = new Samples("bare SIGKILL");
    final Samples killProcessExit = new Samples("SIGKILL -> process exit seen");

    int disconnectChecked;
    int oursThreadsPerConnection;
    int disconnectWithLiveThreads;
    int bareThreadsPerConnection;
    int resetClockFallbacks;
    final List<String> resetWrongMessage = new ArrayList<>();
    final List<String> killWrongMessage = new ArrayList<>();
    final List<Integer> bareResetWrongCode = new ArrayList<>();
    final List<Integer> bareKillWrongCode = new ArrayList<>();
    final Map<String, Integer> clientWarnings = new TreeMap<>();
    PhaseDiagnostics phases;

    Report(BenchmarkOptions options) {
        this.options = options;
    }

    void finish() {
        loadAtEnd = loadAverage();
        long[] now = cpuTicks();
        if (cpuAtStart != null && now != null && now[1] > cpuAtStart[1]) {
            cpuBusy = String.format(Locale.ROOT, "%.0f%%", 100.0 * (now[0] - cpuAtStart[0]) / (now[1] - cpuAtStart[1]));
        }
        elapsedNanos = System.nanoTime() - startNanos;
    }

    /** Whether every target that was measured was met. */
    boolean allPass() {
        return verdicts().stream().allMatch(v -> v.startsWith("PASS"));
    }

    private List<String> verdicts() {
        List<String> all = new ArrayList<>();
        if (!oursDisconnect.isEmpty()) {
            all.add(absolute(oursDisconnect.p99(), DISCONNECT_P99_TARGET_NANOS));
            all.add(ratioVerdict(oursDisconnect, bareReleased));
            all.add(ratioVerdict(oursEvent, bareOnClose));
        }
        if (!oursReset.isEmpty()) {
            all.add(absolute(oursReset.p99(), KILL_TO_EVENT_TARGET_NANOS));
            all.add(ratioVerdict(oursReset, bareReset));
        }
        if (!oursKill.isEmpty()) {
            all.add(absolute(oursKill.max(), KILL_TO_EVENT_TARGET_NANOS));
            all.add(ratioVerdict(oursKill, bareKill));
        }
        return all;
    }

    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("## ALO audio disconnect benchmark (loopback)\n\n");
        md.append("- Date: ").append(started).append(" (run took ")
                .append(TimeUnit.NANOSECONDS.toSeconds(elapsedNanos)).append(" s)\n");
        String revision = System.getProperty("benchmark.revision");
        if (revision != null && !revision.isBlank()) {
            md.append("- Code: ").append(revision).append('\n');
        }
        md.append("- Machine: `").append(command("uname", "-srm")).append("`, CPU ").append(cpuModel())
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load average ")
                .append(loadAtStart).append(" at start, ").append(loadAtEnd).append(" at end; CPU busy during the run ")
                .append(cpuBusy).append(" of all cores (whole machine, including this benchmark and its server)\n");
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" (").append(System.getProperty("java.vendor"))
                .append("); client flags `").append(ManagementFactory.getRuntimeMXBean().getInputArguments()
                        .stream().filter(a -> !a.startsWith("-Dbenchmark.")).collect(Collectors.joining(" ")))
                .append("`\n");
        md.append("- Server: the reference `AloAudioServer` in a separate JVM (`BenchmarkServer`, flags `")
                .append(String.join(" ", options.serverJvmArgs)).append("`), driven over its stdin; scenarios 1-3a "
                        + "share one server process with the fault-injection relay in front of Tyrus; 3b starts one "
                        + "server process (without relay) per iteration\n");
        md.append("- Iterations per client (measured + warm-up): disconnect ").append(options.disconnectIterations)
                .append(" + ").append(options.disconnectWarmup).append(", reset ").append(options.resetIterations)
                .append(" + ").append(options.resetWarmup).append(", SIGKILL ").append(options.killIterations)
                .append(" + ").append(options.killWarmup).append("; ours and bare alternate iteration by iteration; "
                        + "pause ").append(options.settleMillis).append(" ms after each connect (")
                .append(options.killSettleMillis).append(" ms before a SIGKILL)\n");
        md.append("- Client: `AloAudio` with the default configuration (close grace 250 ms); logging ")
                .append(options.logInfo ? "INFO" : "WARNING and above").append(" in client and server\n\n");

        md.append("| # | measurement | n | p50 | p90 | p99 | max | ours÷this p50 | ours÷this p99 | target | "
                + "result |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        if (!oursDisconnect.isEmpty()) {
            row(md, "1", "**ours**: `disconnect()` call → returned (state `DISCONNECTED`, every thread of the "
                    + "connection ended)", oursDisconnect, null, "p99 < 10 ms",
                    absolute(oursDisconnect.p99(), DISCONNECT_P99_TARGET_NANOS));
            row(md, "1''", "bare twin: queue `leave` + `close(1000)` + `ClientManager.shutdown()` + transport "
                    + "threads ended (same operation)", bareReleased, oursDisconnect, "≤ 2×",
                    ratioVerdict(oursDisconnect, bareReleased));
            row(md, "1'", "bare: queue `leave` + `session.close(1000)` returned (nothing released)", bareClose,
                    oursDisconnect, "(info)", "");
            row(md, "2", "**ours**: `disconnect()` call → `DisconnectEvent` delivered to the listener", oursEvent,
                    null, "", "");
            row(md, "2−1", "&nbsp;&nbsp;ours: of which after `disconnect()` returned (hand-off to the dispatcher "
                    + "thread)", oursEventAfterReturn, null, "(info)", "");
            row(md, "2'", "bare twin: `close(1000)` call → `Endpoint.onClose` (runs on the calling thread)",
                    bareOnClose, oursEvent, "≤ 2×", ratioVerdict(oursEvent, bareOnClose));
        }
        if (!oursReset.isEmpty()) {
            row(md, "3a", "**ours**: server resets the connection → `ERROR` event delivered", oursReset, null,
                    "p99 < 50 ms", absolute(oursReset.p99(), KILL_TO_EVENT_TARGET_NANOS));
            row(md, "3a'", "bare twin: server resets the connection → `onClose` (1006)", bareReset, oursReset,
                    "≤ 2×", ratioVerdict(oursReset, bareReset));
        }
        if (!oursKill.isEmpty()) {
            row(md, "3b", "**ours**: server process SIGKILLed → `ERROR` event delivered", oursKill, null,
                    "max < 50 ms", absolute(oursKill.max(), KILL_TO_EVENT_TARGET_NANOS));
            row(md, "3b'", "bare twin: server process SIGKILLed → `onClose` (1006)", bareKill, oursKill, "≤ 2×",
                    ratioVerdict(oursKill, bareKill));
            row(md, "3b°", "&nbsp;&nbsp;reference: SIGKILL → the JDK sees the server process end (both kinds of "
                    + "iteration; the kernel closes the sockets before that)", killProcessExit, null, "(info)", "");
        }
        md.append("\nTimes in ms from `System.nanoTime()` deltas; percentiles are nearest-rank. A ratio passes when "
                + "both the p50 and the p99 ratio are at most 2.0.");
        if (!oursEvent.isEmpty()) {
            md.append(" Tyrus calls `onClose` (2') synchronously inside `session.close()`, before its transport is "
                    + "shut down; our `DisconnectEvent` follows the release by contract. Against the bare disconnect "
                    + "with release (1''), the event (2) is ").append(Samples.ratio(oursEvent.p50(), bareReleased.p50()))
                    .append(" at p50 and ").append(Samples.ratio(oursEvent.p99(), bareReleased.p99()))
                    .append(" at p99.");
        }
        md.append("\n\n");

        md.append("**Checks on every measured iteration**\n\n");
        if (!oursDisconnect.isEmpty()) {
            md.append("- `disconnect()` returned in state `DISCONNECTED`: ").append(disconnectChecked).append('/')
                    .append(disconnectChecked).append("; with a thread of the connection (`alo-audio-bench-c*`) "
                            + "still alive right after it returned: ").append(disconnectWithLiveThreads).append('/')
                    .append(disconnectChecked).append(" (up to ").append(oursThreadsPerConnection)
                    .append(" such threads were alive while connected); one `DisconnectEvent` (`DISCONNECTED`) "
                            + "each\n");
            md.append("- bare twin: ").append(bareThreadsPerConnection).append(" transport threads per connection "
                    + "(Grizzly selector + worker, tracked); all ended after every disconnect\n");
        }
        if (!oursReset.isEmpty()) {
            md.append("- reset: `ERROR` events with \"Lost connection to the server\": ")
                    .append(oursReset.count() - resetWrongMessage.size()).append('/').append(oursReset.count())
                    .append(resetWrongMessage.isEmpty() ? "" : " (others: " + resetWrongMessage + ")")
                    .append("; bare `onClose` 1006: ").append(bareReset.count() - bareResetWrongCode.size())
                    .append('/').append(bareReset.count())
                    .append(bareResetWrongCode.isEmpty() ? "" : " (others: " + bareResetWrongCode + ")")
                    .append('\n');
            md.append("- reset start = the server process's own `nanoTime` right before `dropConnection` (same "
                    + "monotonic clock): ").append(resetCommandDelivery.count()).append(" times, fallback to the "
                            + "moment the command was written: ").append(resetClockFallbacks)
                    .append(" times; command write → server stamp p50 ")
                    .append(Samples.ms(resetCommandDelivery.p50())).append(" ms, p99 ")
                    .append(Samples.ms(resetCommandDelivery.p99())).append(" ms (not included)\n");
        }
        if (!oursKill.isEmpty()) {
            md.append("- SIGKILL: `ERROR` events with \"Lost connection to the server\": ")
                    .append(oursKill.count() - killWrongMessage.size()).append('/').append(oursKill.count())
                    .append(killWrongMessage.isEmpty() ? "" : " (others: " + killWrongMessage + ")")
                    .append("; bare `onClose` 1006: ").append(bareKill.count() - bareKillWrongCode.size())
                    .append('/').append(bareKill.count())
                    .append(bareKillWrongCode.isEmpty() ? "" : " (others: " + bareKillWrongCode + ")").append('\n');
        }
        md.append("- client WARNING log records by id (`ALOAUD-1003` is the expected one per reset or kill; "
                + "`ALOAUD-1201` would be a thread left running after the close grace): ")
                .append(clientWarnings.isEmpty() ? "none" : clientWarnings.toString()).append("\n\n");

        if (!bareReleased.isEmpty()) {
            md.append("**Bare Tyrus disconnect, step by step** (ms; p50 / p99)\n\n");
            md.append("| step | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|\n");
            step(md, "`getAsyncRemote().sendText(leave)` returned", bareStepLeave);
            step(md, "`session.close(1000)` returned (the transport is shut down inside it)", bareStepClose);
            step(md, "`ClientManager.shutdown()` returned", bareStepShutdown);
            step(md, "transport threads joined", bareStepJoin);
            md.append('\n');
        }
        if (phases != null) {
            md.append(phases.toMarkdown()).append('\n');
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String id, String what, Samples s, Samples ours, String target,
                            String verdict) {
        md.append("| ").append(id).append(" | ").append(what).append(" | ").append(s.count()).append(" | ")
                .append(Samples.ms(s.p50())).append(" | ").append(Samples.ms(s.p90())).append(" | ")
                .append(Samples.ms(s.p99())).append(" | ").append(Samples.ms(s.max())).append(" | ")
                .append(ours == null ? "" : Samples.ratio(ours.p50(), s.p50())).append(" | ")
                .append(ours == null ? "" : Samples.ratio(ours.p99(), s.p99())).append(" | ")
                .append(target).append(" | ").append(verdict).append(" |\n");
    }

    private static void step(StringBuilder md, String what, Samples s) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", what, Samples.ms3(s.p50()),
                Samples.ms3(s.p90()), Samples.ms3(s.p99()), Samples.ms3(s.max())));
    }

    private static String absolute(long value, long target) {
        return (value < target ? "PASS" : "MISS") + " (" + Samples.ms(value) + " ms)";
    }

    private static String ratioVerdict(Samples ours, Samples bare) {
        double p50 = Samples.ratioValue(ours.p50(), bare.p50());
        double p99 = Samples.ratioValue(ours.p99(), bare.p99());
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            return "-";
        }
        boolean pass = p50 <= RATIO_TARGET && p99 <= RATIO_TARGET;
        return (pass ? "PASS" : "MISS") + String.format(Locale.ROOT, " (%.2fx / %.2fx)", p50, p99);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim()
                    .split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Busy and total jiffies of all cores from {@code /proc/stat}, or null. */
    private static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cpuModel() {
        String line = DisconnectBenchmark.readFirstLine(Path.of("/proc/cpuinfo"), "model name");
        return line == null ? "n/a" : line.substring(line.indexOf(':') + 1).trim();
    }

    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "n/a";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a";
        }
    }
}

package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The facts a result needs beside it: date, code revision, machine, CPU, JVM and flags, how busy the whole machine was
 * during the run (this is a shared VM), and how long the run took.
 */
final class RunInfo {

    private final String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    private final long startNanos = System.nanoTime();
    private final String loadAtStart = loadAverage();
    private final long[] cpuAtStart = machineCpuTicks();
    private final long clientCpuAtStart = ProcStats.cpuNanos();
    private String clientCpu = "n/a";
    private String loadAtEnd = "";
    private String machineBusy = "n/a";
    private long elapsedNanos;

    void finish() {
        loadAtEnd = loadAverage();
        long[] now = machineCpuTicks();
        if (cpuAtStart != null && now != null && now[1] > cpuAtStart[1]) {
            machineBusy = String.format(Locale.ROOT, "%.0f%%",
                    100.0 * (now[0] - cpuAtStart[0]) / (now[1] - cpuAtStart[1]));
        }
        elapsedNanos = System.nanoTime() - startNanos;
        long cpu = ProcStats.cpuNanos();
        if (clientCpuAtStart >= 0 && cpu >= 0 && elapsedNanos > 0) {
            clientCpu = String.format(Locale.ROOT, "%.0f%%", 100.0 * (cpu - clientCpuAtStart) / elapsedNanos);
        }
    }

    /** The header lines, Markdown bullets. */
    String header(String serverFlags) {
        StringBuilder md = new StringBuilder();
        md.append("- Date: ").append(started).append(" (run took ")
                .append(TimeUnit.NANOSECONDS.toSeconds(elapsedNanos)).append(" s)\n");
        String revision = System.getProperty("benchmark.revision");
        if (revision != null && !revision.isBlank()) {
            md.append("- Code: ").append(revision).append('\n');
        }
        md.append("- Machine: `").append(uname()).append("`, CPU ").append(cpuModel()).append(", ")
                .append(onlineCpus()).append(" cores online; the client JVM sees ")
                .append(Runtime.getRuntime().availableProcessors()).append(" processors; load average ")
                .append(loadAtStart).append(" at start, ").append(loadAtEnd)
                .append(" at end; whole-machine CPU busy during the run ").append(machineBusy)
                .append(" (all processes: this client JVM used ").append(clientCpu)
                .append(" of one core on average, the rest is its server process and other tenants)\n");
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.vm.version")).append(" (").append(System.getProperty("java.vendor"))
                .append("); client flags `").append(clientFlags()).append('`');
        if (serverFlags != null) {
            md.append("; server process flags `").append(serverFlags).append('`');
        }
        md.append('\n');
        return md.toString();
    }

    static String clientFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Dbenchmark.")).collect(Collectors.joining(" "));
    }

    static String uname() {
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            return "Linux " + release + " " + System.getProperty("os.arch");
        } catch (IOException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch");
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    static int onlineCpus() {
        try {
            int count = 0;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("processor")) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    static String loadAverage() {
        try {
            String[] words = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return words[0] + " " + words[1] + " " + words[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** {busy, total} jiffies of the whole machine from {@code /proc/stat}, or null. */
    static long[] machineCpuTicks() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Percent of the whole machine busy between two {@link #machineCpuTicks()} readings. */
    static double busyPercent(long[] from, long[] to) {
        if (from == null || to == null || to[1] <= from[1]) {
            return Double.NaN;
        }
        return 100.0 * (to[0] - from[0]) / (to[1] - from[1]);
    }
}

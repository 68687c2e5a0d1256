package ai.alo.audio.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What this JVM process holds, read from the JVM's management beans and from Linux's {@code /proc/self}: threads,
 * file descriptors, resident memory, heap after a full GC, CPU time. Used by the client benchmarks and, through the
 * {@code stats} command, by the server process about itself.
 */
final class ProcStats {

    private ProcStats() {
    }

    /** A snapshot. Sizes in bytes; -1 where unknown (not Linux). */
    record Snapshot(int threads, int fds, long rssBytes, long heapUsedBytes, long cpuNanos) {

        String toLine() {
            return "threads=" + threads + " fds=" + fds + " rss=" + rssBytes + " heap=" + heapUsedBytes + " cpu="
                    + cpuNanos;
        }

        static Snapshot parse(String line) {
            int threads = -1;
            int fds = -1;
            long rss = -1;
            long heap = -1;
            long cpu = -1;
            for (String word : line.trim().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = word.substring(0, eq);
                long value = Long.parseLong(word.substring(eq + 1));
                switch (key) {
                    case "threads" -> threads = (int) value;
                    case "fds" -> fds = (int) value;
                    case "rss" -> rss = value;
                    case "heap" -> heap = value;
                    case "cpu" -> cpu = value;
                    default -> {
                    }
                }
            }
            return new Snapshot(threads, fds, rss, heap, cpu);
        }
    }

    /**
     * Takes a snapshot.
     *
     * @param gc whether to run full GCs first, so that the heap figure is live data only
     * @return the snapshot
     */
    static Snapshot take(boolean gc) {
        long heap = gc ? heapAfterGc() : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount(), fileDescriptors(), rssBytes(), heap,
                cpuNanos());
    }

    /**
     * Heap in use after full collections: {@code System.gc()} three times (G1 runs a full, stop-the-world collection
     * for each), until two readings agree within 64 KiB.
     *
     * @return bytes
     */
    static long heapAfterGc() {
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (i >= 2 && Math.abs(previous - used) < 64 * 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }

    /** Open file descriptors of this process ({@code /proc/self/fd}), or -1. */
    static int fileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own descriptor
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size ({@code VmRSS} of {@code /proc/self/status}) in bytes, or -1. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] words = line.trim().split("\\s+");
                    return Long.parseLong(words[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** CPU time used by this process so far (all threads, user + system), or -1. */
    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * The JVM's class histogram of live objects ({@code jcmd GC.class_histogram}, which runs a full GC first), the
     * first lines.
     *
     * @param lines how many lines (the header counts)
     * @return the text, or a note why there is none
     */
    static String classHistogram(int lines) {
        try {
            javax.management.ObjectName name = new javax.management.ObjectName(
                    "com.sun.management:type=DiagnosticCommand");
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(name, "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] all = String.valueOf(text).split("\n");
            return String.join("\n", java.util.Arrays.copyOf(all, Math.min(lines, all.length)));
        } catch (javax.management.JMException | RuntimeException e) {
            return "(no class histogram: " + e + ")";
        }
    }

    /**
     * The resident part of the Java heap's mapping (the anonymous mapping of the heap's maximum size, found in
     * {@code /proc/self/smaps}), in bytes, or -1. With {@code -Xms} = {@code -Xmx} the heap is committed at once but
     * becomes resident only as the collector first touches its regions, so this grows early in a run without any
     * allocation being kept.
     */
    static long heapRssBytes() {
        long max = Runtime.getRuntime().maxMemory();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
            long best = -1;
            boolean inHeap = false;
            for (String line : lines) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                    // a mapping header: start-end perms offset dev inode [path]
                    String[] f = line.trim().split("\\s+");
                    String[] range = f[0].split("-");
                    long size = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
                    inHeap = f.length < 6 && Math.abs(size - max) <= max / 100;
                } else if (inHeap && line.startsWith("Rss:")) {
                    best = Math.max(best, Long.parseLong(line.trim().split("\\s+")[1]) * 1024);
                    inHeap = false;
                }
            }
            return best;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Native Memory Tracking's committed kilobytes by category ({@code Java Heap}, {@code Class}, {@code Thread},
     * {@code Code}, {@code GC}, {@code Internal}, {@code Other}, ...; {@code Total}), when the JVM runs with
     * {@code -XX:NativeMemoryTracking=summary}; empty otherwise.
     */
    static java.util.Map<String, Long> nativeMemoryCommittedKb() {
        java.util.Map<String, Long> committed = new java.util.TreeMap<>();
        try {
            javax.management.ObjectName name = new javax.management.ObjectName(
                    "com.sun.management:type=DiagnosticCommand");
            String text = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(name, "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()}));
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(?m)^(?:-\\s+([A-Za-z][A-Za-z ]*?)|(Total)):? \\(?reserved=\\d+KB, committed=(\\d+)KB")
                    .matcher(text);
            while (m.find()) {
                committed.put(m.group(1) != null ? m.group(1).trim() : m.group(2), Long.parseLong(m.group(3)));
            }
        } catch (javax.management.JMException | RuntimeException e) {
            // NMT off, or not HotSpot
        }
        return committed;
    }

    /** Instances and bytes per class of a {@link #classHistogram} text. */
    static java.util.Map<String, long[]> parseHistogram(String histogram) {
        java.util.Map<String, long[]> classes = new java.util.HashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                try {
                    classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                } catch (NumberFormatException e) {
                    // not a class line
                }
            }
        }
        return classes;
    }

    /** The classes whose live bytes grew most between two histograms, as Markdown-ready text. */
    static String histogramGrowth(String before, String after, int top) {
        java.util.Map<String, long[]> a = parseHistogram(before);
        java.util.Map<String, long[]> b = parseHistogram(after);
        List<String> rows = new java.util.ArrayList<>();
        b.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[1] - a.getOrDefault(y.getKey(), new long[2])[1],
                        x.getValue()[1] - a.getOrDefault(x.getKey(), new long[2])[1]))
                .limit(top)
                .forEach(e -> {
                    long[] old = a.getOrDefault(e.getKey(), new long[2]);
                    rows.add(String.format(java.util.Locale.ROOT, "%s %+,d objects / %+,d bytes", e.getKey(),
                            e.getValue()[0] - old[0], e.getValue()[1] - old[1]));
                });
        return String.join("; ", rows);
    }

    /** The live bytes of a {@link #classHistogram} text (its {@code Total} line), or -1. */
    static long histogramTotalBytes(String histogram) {
        for (String line : histogram.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] words = t.split("\\s+");
                try {
                    return Long.parseLong(words[words.length - 1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The whole class histogram, see {@link #classHistogram(int)}. */
    static String classHistogram() {
        return classHistogram(Integer.MAX_VALUE);
    }

    /** The first lines of a text. */
    static String head(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOf(all, Math.min(lines, all.length)));
    }

    static String mb(long bytes) {
        return bytes < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }
}

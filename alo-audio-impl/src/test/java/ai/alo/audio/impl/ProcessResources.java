package ai.alo.audio.impl;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;

/** Counts what the process holds: live threads and open file descriptors (Linux {@code /proc/self/fd}). */
final class ProcessResources {

    private ProcessResources() {
    }

    static int threads() {
        return Thread.getAllStackTraces().size();
    }

    static Map<String, Integer> threadsByName() {
        Map<String, Integer> names = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.merge(t.getName().replaceAll("\\d+", "#"), 1, Integer::sum);
        }
        return names;
    }

    static int fileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}

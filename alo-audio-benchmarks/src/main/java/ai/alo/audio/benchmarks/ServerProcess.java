package ai.alo.audio.benchmarks;

import ai.alo.audio.server.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchmarkServer} in a separate JVM, started with the benchmark's class path and only on 127.0.0.1.
 *
 * <p>No server process outlives the benchmark: {@link #close()} stops it (and destroys it if it does not stop), a
 * shutdown hook destroys every one still alive, the server halts by itself when this process ends or its standard
 * input closes, and each process id is appended to the file named by the system property {@code benchmark.pidfile}
 * so that {@code bin/benchmark} can kill any that is left when it exits, whatever happened to this JVM.
 */
final class ServerProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long REPLY_TIMEOUT_SECONDS = 30;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process process : LIVE) {
                process.destroyForcibly();
            }
        }, "benchmark-server-reaper"));
    }

    /** The moment a connection was reset, as measured by the server process. */
    record Drop(boolean dropped, long beforeNanos, long afterNanos) {
    }

    /** When the server got a user's {@code leave} and saw its session close (its own nanoTime; -1: not seen). */
    record Stamps(long leaveNanos, long closedNanos, int closeCode) {
    }

    /** The server process's view of itself; GC pauses in ms (window: since the previous stats). */
    record Stats(int sessions, ProcStats.Snapshot process, long gcMaxMillis, long gcWindowMaxMillis, long gcCount) {
    }

    /** How to start one. */
    record Config(List<String> jvmArgs, boolean faultInjection, int maxConnections, int maxPerAddress, int workers,
                  boolean stamps, boolean logInfo) {

        Config withFaultInjection(boolean enabled) {
            return new Config(jvmArgs, enabled, maxConnections, maxPerAddress, workers, stamps, logInfo);
        }
    }

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final URI uri;

    private ServerProcess(Process process) throws IOException {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(this::readReplies, "benchmark-server-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
        String first;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        try {
            do {
                // lines the JVM itself prints (JFR, GC logging to stdout) come before ours
                first = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } while (first != null && !first.startsWith("listening "));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the server process started", e);
        }
        if (first == null || !first.startsWith("listening ")) {
            throw new IOException("the server process did not report its URI (got " + first + "; exit "
                    + (process.isAlive() ? "none, still running" : String.valueOf(process.exitValue()))
                    + "); see target/benchmark-server.log");
        }
        this.uri = URI.create(first.split(" ")[1].trim());
        if (!"127.0.0.1".equals(uri.getHost())) {
            destroy(process);
            throw new IOException("the server process is not on 127.0.0.1: " + uri);
        }
    }

    /**
     * Starts a server process and waits until it listens.
     *
     * @param config how
     * @param secret the HS256 secret, passed in the environment
     * @param log    where the server's standard error goes (appended)
     * @return the running server
     * @throws IOException if it cannot be started or does not report its URI
     */
    static ServerProcess start(Config config, String secret, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(config.jvmArgs());
        String run = System.getProperty("benchmark.run");
        if (run != null) {
            command.add("-Dbenchmark.run=" + run);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchmarkServer.class.getName());
        if (!config.faultInjection()) {
            command.add("--no-fault-injection");
        }
        command.addAll(List.of("--max-connections", String.valueOf(config.maxConnections()), "--max-per-address",
                String.valueOf(config.maxPerAddress()), "--workers", String.valueOf(config.workers()),
                "--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        if (config.stamps()) {
            command.add("--stamps");
        }
        if (config.logInfo()) {
            command.add("--log-info");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put(Main.SECRET_ENV, secret);
        Process process = builder.start();
        LIVE.add(process);
        recordPid(process.pid());
        try {
            return new ServerProcess(process);
        } catch (IOException | RuntimeException e) {
            destroy(process);
            throw e;
        }
    }

    private static void recordPid(long pid) {
        String file = System.getProperty("benchmark.pidfile");
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(file), pid + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the other guards still apply
        }
    }

    URI uri() {
        return uri;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Asks the server to reset a user's connection; returns after the server answered.
     *
     * @param userId the user
     * @return when the server reset it, on the shared monotonic clock
     */
    Drop drop(String userId) {
        String[] words = command("drop " + userId).split(" ");
        if (words.length != 5 || !words[0].equals("dropped")) {
            throw new IllegalStateException("unexpected reply from the server process: " + String.join(" ", words));
        }
        return new Drop(Boolean.parseBoolean(words[2]), Long.parseLong(words[3]), Long.parseLong(words[4]));
    }

    /**
     * When the server got the user's last {@code leave} and saw its session close; asks again (up to about 200 ms)
     * until the close is recorded.
     *
     * @param userId the user
     * @return the stamps; {@code closedNanos} is -1 if the close was not seen in time
     */
    Stamps stamps(String userId) {
        Stamps stamps = null;
        for (int i = 0; i < 100; i++) {
            String[] words = command("stamps " + userId).split(" ");
            if (words.length != 5 || !words[0].equals("stamps")) {
                throw new IllegalStateException("unexpected reply from the server process: "
                        + String.join(" ", words));
            }
            stamps = new Stamps(Long.parseLong(words[2]), Long.parseLong(words[3]), Integer.parseInt(words[4]));
            if (stamps.closedNanos() >= 0) {
                return stamps;
            }
            sleep(2);
        }
        return stamps;
    }

    /**
     * The server process's own resource use.
     *
     * @param gc whether it should collect its heap first
     * @return the stats
     */
    Stats stats(boolean gc) {
        String reply = command(gc ? "stats gc" : "stats");
        if (!reply.startsWith("stats ")) {
            throw new IllegalStateException("unexpected reply from the server process: " + reply);
        }
        int sessions = -1;
        long gcMax = -1;
        long gcWindow = -1;
        long gcCount = -1;
        for (String word : reply.split(" ")) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                continue;
            }
            long value = Long.parseLong(word.substring(eq + 1));
            switch (word.substring(0, eq)) {
                case "sessions" -> sessions = (int) value;
                case "gcMaxMs" -> gcMax = value;
                case "gcWindowMaxMs" -> gcWindow = value;
                case "gcCount" -> gcCount = value;
                default -> {
                }
            }
        }
        return new Stats(sessions, ProcStats.Snapshot.parse(reply.substring("stats ".length())), gcMax, gcWindow,
                gcCount);
    }

    /** The server's CPU time so far, from {@code /proc/<pid>/stat} (no command needed), or -1. */
    long cpuNanosFromProc() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            return ticks * 10_000_000L; // USER_HZ = 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Kills the process with SIGKILL, like a crashed server host process. Returns at once; {@link #close()} reaps it.
     *
     * @return completes with the {@link System#nanoTime()} at which the JDK saw the process end
     */
    CompletableFuture<Long> killForcibly() {
        CompletableFuture<Long> exited = process.onExit().thenApply(p -> System.nanoTime());
        process.destroyForcibly();
        return exited;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private String command(String line) {
        try {
            commands.write(line);
            commands.write('\n');
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the server process does not read commands", e);
        }
        try {
            String reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IllegalStateException("the server process did not answer '" + line + "' within "
                        + REPLY_TIMEOUT_SECONDS + " s");
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the server (gracefully if it still runs) and makes sure the process has ended. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    commands.write("quit\n");
                    commands.flush();
                } catch (IOException e) {
                    // already gone
                }
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    destroy(process);
                }
            } else {
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy(process);
        } finally {
            LIVE.remove(process);
            try {
                commands.close();
            } catch (IOException e) {
                // the pipe is already closed
            }
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void destroy(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                replies.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

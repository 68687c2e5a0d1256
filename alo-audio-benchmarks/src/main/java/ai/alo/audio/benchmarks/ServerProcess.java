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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchmarkServer} in a separate JVM, started with the benchmark's class path. Every process started here is
 * destroyed by {@link #close()}, and by a shutdown hook if the benchmark ends without closing it; the server also
 * exits by itself when its standard input ends.
 */
final class ServerProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long REPLY_TIMEOUT_SECONDS = 10;

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
        try {
            first = replies.poll(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the server process started", e);
        }
        if (first == null || !first.startsWith("listening ")) {
            throw new IOException("the server process did not report its URI (got " + first + "; exit "
                    + (process.isAlive() ? "none, still running" : String.valueOf(process.exitValue())) + ")");
        }
        this.uri = URI.create(first.substring("listening ".length()).trim());
    }

    /**
     * Starts a server process and waits until it listens.
     *
     * @param jvmArgs        JVM options of the server process (heap, GC)
     * @param secret         the HS256 secret, passed in the environment
     * @param faultInjection whether the fault-injection relay fronts the server (needed for {@link #drop})
     * @param log            where the server's standard error goes
     * @param serverArgs     further options of {@link BenchmarkServer}
     * @return the running server
     * @throws IOException if it cannot be started or does not report its URI
     */
    static ServerProcess start(List<String> jvmArgs, String secret, boolean faultInjection, Path log,
                               List<String> serverArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchmarkServer.class.getName());
        command.add("--port");
        command.add("0");
        if (!faultInjection) {
            command.add("--no-fault-injection");
        }
        command.addAll(serverArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put(Main.SECRET_ENV, secret);
        Process process = builder.start();
        LIVE.add(process);
        try {
            return new ServerProcess(process);
        } catch (IOException | RuntimeException e) {
            destroy(process);
            throw e;
        }
    }

    URI uri() {
        return uri;
    }

    /**
     * Asks the server to reset a user's connection; returns after the server answered.
     *
     * @param userId the user
     * @return when the server reset it, on the shared monotonic clock
     */
    Drop drop(String userId) {
        String reply = command("drop " + userId);
        String[] words = reply.split(" ");
        if (words.length != 5 || !words[0].equals("dropped")) {
            throw new IllegalStateException("unexpected reply from the server process: " + reply);
        }
        return new Drop(Boolean.parseBoolean(words[2]), Long.parseLong(words[3]), Long.parseLong(words[4]));
    }

    /**
     * Writes a command without waiting for its answer; use {@link #reply()} to read it.
     *
     * @param line the command
     */
    void send(String line) {
        try {
            commands.write(line);
            commands.write('\n');
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the server process does not read commands", e);
        }
    }

    /** The next answer of the server process. */
    String reply() {
        try {
            String reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IllegalStateException("the server process did not answer within " + REPLY_TIMEOUT_SECONDS
                        + " s");
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String command(String line) {
        send(line);
        return reply();
    }

    /**
     * Kills the process with SIGKILL, like a crashed server host process. Returns at once; {@link #close()} reaps it.
     *
     * @return completes with the {@link System#nanoTime()} at which the JDK saw the process end (its reaper thread)
     */
    CompletableFuture<Long> killForcibly() {
        CompletableFuture<Long> exited = process.onExit().thenApply(p -> System.nanoTime());
        process.destroyForcibly();
        return exited;
    }

    /** Stops the server (gracefully if it still runs) and makes sure the process has ended. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                try {
                    send("quit");
                } catch (UncheckedIOException e) {
                    // already gone
                }
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
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
}

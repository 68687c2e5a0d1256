package ai.alo.audio.benchmarks;

import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.Main;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The benchmarks' server process: the reference {@link AloAudioServer} driven over standard input, so that a
 * benchmark can reset connections, read the server's own resource use, and kill it with SIGKILL from another JVM.
 * Started by {@link ServerProcess} with the benchmark's own class path.
 *
 * <pre>
 * java -cp &lt;classpath&gt; ai.alo.audio.benchmarks.BenchmarkServer [--no-fault-injection] [--max-connections N]
 *      [--max-per-address N] [--workers N] [--stamps] [--parent-pid PID] [--log-info]
 * (the HS256 secret comes from the environment variable ALO_AUDIO_SERVER_SECRET)
 *
 * stdout: listening &lt;uri&gt; &lt;pid&gt;
 * stdin commands, one a line, each answered with one line:
 *   drop &lt;userId&gt;    resets that user's connection through the fault relay:
 *                      dropped &lt;userId&gt; &lt;true|false&gt; &lt;nanoTime before&gt; &lt;nanoTime after&gt;
 *   stamps &lt;userId&gt;  (with --stamps) when the server got that user's last 'leave' and saw its session
 *                      close (forgotten once the close is recorded):
 *                      stamps &lt;userId&gt; &lt;leave nanoTime or -1&gt; &lt;closed nanoTime or -1&gt; &lt;code&gt;
 *   stats [gc]        sessions=&lt;n&gt; threads=&lt;n&gt; fds=&lt;n&gt; rss=&lt;bytes&gt; heap=&lt;bytes&gt;
 *                      cpu=&lt;ns&gt;
 *                      gcMaxMs=&lt;longest GC pause&gt; gcWindowMaxMs=&lt;longest since the last stats&gt;
 *                      gcCount=&lt;n&gt; (gc: heap after a full GC)
 *   quit              stops the server gracefully and exits
 * </pre>
 *
 * <p>The server never outlives its benchmark: it stops when its standard input ends, and it halts when the benchmark
 * process ({@code --parent-pid}) ends, whichever comes first; the benchmark also destroys it in a {@code finally}
 * block and a shutdown hook, and {@code bin/benchmark} kills any left over when it exits.
 *
 * <p>The {@code nanoTime} values are this JVM's {@link System#nanoTime()}. On Linux every JVM reads the same
 * {@code CLOCK_MONOTONIC}, so the benchmark can put them on its own time line.
 */
public final class BenchmarkServer {

    // strong reference: java.util.logging holds loggers weakly
    private static final Logger ROOT_LOGGER = Logger.getLogger("");

    private BenchmarkServer() {
    }

    /**
     * Runs the server until {@code quit}, the end of standard input, or the end of the parent process.
     *
     * @param args see the class documentation
     * @throws IOException if standard input fails
     */
    public static void main(String[] args) throws IOException {
        Args options = new Args("BenchmarkServer [options]")
                .option("port", 0, "port to bind (0: any free port)")
                .flag("no-fault-injection", "bind Tyrus directly, without the fault-injection relay (no 'drop')")
                .option("max-connections", 10_000, "the server's connection cap")
                .option("max-per-address", 1_000, "the server's per-address connection cap")
                .option("workers", 4, "Grizzly worker threads")
                .flag("stamps", "record when each user's 'leave' arrived and its session closed")
                .option("parent-pid", -1, "halt when this process ends")
                .flag("log-info", "keep INFO logging (default WARNING and above)");
        try {
            options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("BenchmarkServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!options.flag("log-info")) {
            // per-session INFO lines would cost the server CPU that the client needs on a small machine
            ROOT_LOGGER.setLevel(Level.WARNING);
        }
        long parent = options.integer("parent-pid", -1);
        if (parent > 0) {
            ProcessHandle.of(parent).ifPresentOrElse(
                    handle -> handle.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
                    () -> Runtime.getRuntime().halt(3));
        }
        String secret = System.getenv(Main.SECRET_ENV);
        if (secret == null || secret.isEmpty()) {
            System.err.println("BenchmarkServer: " + Main.SECRET_ENV + " is not set");
            System.exit(2);
            return;
        }
        GcWatch.install();
        Map<String, long[]> stamps = new ConcurrentHashMap<>();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        AloAudioServer server = AloAudioServer.builder()
                .host("127.0.0.1")
                .port(options.integer("port", 0))
                .faultInjection(!options.flag("no-fault-injection"))
                .maxConnections(options.integer("max-connections", 1))
                .maxConnectionsPerAddress(options.integer("max-per-address", 1))
                .workerThreads(options.integer("workers", 1))
                .tokenSecret(secret.getBytes(StandardCharsets.UTF_8))
                .build();
        if (options.flag("stamps")) {
            server.addListener(new ServerListener() {
                @Override
                public void onMessage(SessionInfo session, String type) {
                    if ("leave".equals(type)) {
                        stamp(stamps, session.userId(), 0, System.nanoTime());
                    }
                }

                @Override
                public void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
                    long now = System.nanoTime();
                    stamps.compute(session.userId(), (key, s) -> {
                        long[] updated = s == null ? new long[] {-1, -1, 0} : s;
                        updated[2] = closeCode; // before the close stamp, which marks the entry complete
                        updated[1] = now;
                        return updated;
                    });
                }
            });
        }
        server.start();
        try {
            out.println("listening " + server.uri() + " " + ProcessHandle.current().pid());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "quit" -> {
                        return;
                    }
                    case "drop" -> {
                        long before = System.nanoTime();
                        boolean dropped = words.length == 2 && server.dropConnection(words[1]);
                        long after = System.nanoTime();
                        out.println("dropped " + (words.length == 2 ? words[1] : "?") + " " + dropped + " " + before
                                + " " + after);
                    }
                    case "stamps" -> {
                        // forgotten once complete (closed); until then the benchmark asks again
                        long[] s = words.length == 2 ? stamps.get(words[1]) : null;
                        if (s != null && s[1] >= 0) {
                            stamps.remove(words[1]);
                        }
                        out.println("stamps " + (words.length == 2 ? words[1] : "?") + " "
                                + (s == null ? "-1 -1 0" : s[0] + " " + s[1] + " " + s[2]));
                    }
                    case "stats" -> {
                        boolean gc = words.length > 1 && words[1].equals("gc");
                        out.println("stats sessions=" + server.sessions().size() + " "
                                + ProcStats.take(gc).toLine() + " gcMaxMs=" + GcWatch.maxMillis() + " gcWindowMaxMs="
                                + GcWatch.takeWindowMax() + " gcCount=" + GcWatch.count());
                    }
                    default -> out.println("error unknown command: " + line);
                }
                out.flush();
            }
        } finally {
            server.stop();
            out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    private static void stamp(Map<String, long[]> stamps, String userId, int index, long value) {
        stamps.compute(userId, (key, s) -> {
            long[] updated = s == null ? new long[] {-1, -1, 0} : s;
            updated[index] = value;
            return updated;
        });
    }
}

package ai.alo.audio.benchmarks;

import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The benchmark's server process: an {@link AloAudioServer} driven over standard input, so that the benchmark can
 * reset a connection in another JVM. Started by {@link ServerProcess} with the benchmark's own class path.
 *
 * <pre>
 * java -cp &lt;classpath&gt; ai.alo.audio.benchmarks.BenchmarkServer [--port 0] [--no-fault-injection] [--log-info]
 * (the HS256 secret comes from the environment variable ALO_AUDIO_SERVER_SECRET)
 *
 * stdout: listening &lt;uri&gt;
 * stdin commands, one a line, each answered with one line:
 *   drop &lt;userId&gt;  resets that user's connection (server.dropConnection):
 *                    dropped &lt;userId&gt; &lt;true|false&gt; &lt;nanoTime before&gt; &lt;nanoTime after&gt;
 *   sessions        sessions &lt;count of live sessions&gt;
 *   quit            stops the server gracefully and exits
 * end of stdin (the benchmark died) stops the server too, so no server outlives its benchmark.
 * </pre>
 *
 * <p>The {@code nanoTime} values are this JVM's {@link System#nanoTime()}. On Linux both JVMs read the same
 * {@code CLOCK_MONOTONIC}, so the benchmark can use them as the moment of the reset; it checks that they fall between
 * its own command and its own observation, and otherwise falls back to the moment it wrote the command.
 */
public final class BenchmarkServer {

    private BenchmarkServer() {
    }

    /**
     * Runs the server until {@code quit} or the end of standard input.
     *
     * @param args {@code --port <n>}, {@code --no-fault-injection}, {@code --log-info}
     * @throws IOException if standard input fails
     */
    public static void main(String[] args) throws IOException {
        int port = 0;
        boolean faultInjection = true;
        boolean logInfo = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--no-fault-injection" -> faultInjection = false;
                case "--log-info" -> logInfo = true;
                default -> {
                    System.err.println("BenchmarkServer: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (!logInfo) {
            // Per-session INFO lines would cost the server CPU that the client needs on a 2-core machine.
            Logger.getLogger("").setLevel(Level.WARNING);
        }
        String secret = System.getenv(Main.SECRET_ENV);
        if (secret == null || secret.isEmpty()) {
            System.err.println("BenchmarkServer: " + Main.SECRET_ENV + " is not set");
            System.exit(2);
            return;
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        AloAudioServer server = AloAudioServer.builder()
                .host("127.0.0.1")
                .port(port)
                .faultInjection(faultInjection)
                .tokenSecret(secret.getBytes(StandardCharsets.UTF_8))
                .build()
                .start();
        try {
            out.println("listening " + server.uri());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                if (words[0].equals("quit")) {
                    break;
                } else if (words[0].equals("drop") && words.length == 2) {
                    long before = System.nanoTime();
                    boolean dropped = server.dropConnection(words[1]);
                    long after = System.nanoTime();
                    out.println("dropped " + words[1] + " " + dropped + " " + before + " " + after);
                } else if (words[0].equals("sessions")) {
                    out.println("sessions " + server.sessions().size());
                } else {
                    out.println("error unknown command: " + line);
                }
                out.flush();
            }
        } finally {
            server.stop();
        }
        System.exit(0);
    }
}

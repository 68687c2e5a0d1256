package ai.alo.audio.server;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link AloAudioServer} as a standalone process ({@code java -jar alo-audio-server-<version>-standalone.jar}).
 *
 * <pre>
 * Options:
 *   --host &lt;address&gt;       address to bind (default 127.0.0.1)
 *   --port &lt;port&gt;          port to bind (default 8765, 0 = any free port)
 *   --secret &lt;text&gt;        HS256 secret, at least 32 bytes of UTF-8
 *                          (else env ALO_AUDIO_SERVER_SECRET, else a random one with a warning)
 *   --mint-token &lt;userId&gt;  print a token for userId, valid for 1 hour, and exit
 *   --no-fault-injection    serve Tyrus directly, without the fault-injection relay
 *   --no-console            do not serve the web console (http://host:port/console/)
 *   --no-media              do not relay audio (no media.webrtc; the native WebRTC library is not loaded)
 *   --no-session-resume     do not offer session.resume
 *   --resume-window &lt;s&gt;    seconds a session lost without a goodbye stays resumable (default 30)
 *   --max-connections &lt;n&gt;  the most WebSocket connections at once (default 10000; more get HTTP 503)
 *   --max-connections-per-address &lt;n&gt;
 *                           the most WebSocket connections from one IP address (default 1000; more get HTTP 429)
 *   --help                  print this help
 * </pre>
 *
 * <p>Prints the URI and the web console's address when it listens, and stops gracefully on SIGTERM or Ctrl-C (a
 * shutdown hook calls {@link AloAudioServer#stop()}). Exit status 2 for bad arguments.
 */
public final class Main {

    /** The environment variable holding the secret when {@code --secret} is not given. */
    public static final String SECRET_ENV = "ALO_AUDIO_SERVER_SECRET";
    /** The default port of the standalone server. */
    public static final int DEFAULT_PORT = 8765;

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());

    private Main() {
    }

    /**
     * Runs the server until the process is asked to stop.
     *
     * @param args the options above
     * @throws InterruptedException if the main thread is interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        PrintStream out = System.out;
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        String secret = null;
        String mintFor = null;
        boolean faultInjection = true;
        boolean console = true;
        boolean media = true;
        Integer maxConnections = null;
        Integer maxPerAddress = null;
        boolean sessionResume = true;
        Integer resumeWindowSeconds = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--host" -> host = value(args, ++i, "--host");
                    case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                    case "--secret" -> secret = value(args, ++i, "--secret");
                    case "--mint-token" -> mintFor = value(args, ++i, "--mint-token");
                    case "--no-fault-injection" -> faultInjection = false;
                    case "--no-console" -> console = false;
                    case "--no-media" -> media = false;
                    case "--no-session-resume" -> sessionResume = false;
                    case "--resume-window" ->
                            resumeWindowSeconds = Integer.parseInt(value(args, ++i, "--resume-window"));
                    case "--max-connections" ->
                            maxConnections = Integer.parseInt(value(args, ++i, "--max-connections"));
                    case "--max-connections-per-address" ->
                            maxPerAddress = Integer.parseInt(value(args, ++i, "--max-connections-per-address"));
                    case "--help", "-h" -> {
                        usage(out);
                        return;
                    }
                    default -> throw new IllegalArgumentException("Unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        if (secret == null) {
            secret = System.getenv(SECRET_ENV);
        }
        AloAudioServer.Builder builder = AloAudioServer.builder().host(host).faultInjection(faultInjection)
                .console(console).media(media).sessionResume(sessionResume);
        try {
            builder.port(port);
            if (resumeWindowSeconds != null) {
                builder.resumeWindow(Duration.ofSeconds(resumeWindowSeconds));
            }
            if (maxConnections != null) {
                builder.maxConnections(maxConnections);
            }
            if (maxPerAddress != null) {
                builder.maxConnectionsPerAddress(maxPerAddress);
            }
            if (secret != null && !secret.isEmpty()) {
                builder.tokenSecret(secret.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        boolean randomSecret = secret == null || secret.isEmpty();
        if (randomSecret) {
            LOG.log(Level.WARNING, "ALOSRV-5060 No secret given (--secret or " + SECRET_ENV
                    + "): using a random one, so no token minted elsewhere will be accepted");
        }
        AloAudioServer server = builder.build();
        if (mintFor != null) {
            out.println(server.tokens().issue(mintFor, Duration.ofHours(1)));
            server.stop();
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(Level.INFO, "ALOSRV-5062 Shutdown requested");
            server.stop();
            // java.util.logging may already be reset by its own shutdown hook: say it on stdout too.
            out.println("ALO audio server stopped");
            out.flush();
            stopped.countDown();
        }, "alo-audio-server-shutdown"));
        server.start();
        out.println("ALO audio server listening on " + server.uri());
        if (console) {
            out.println("Web console: " + server.consoleUri());
        }
        MediaStatus mediaStatus = server.mediaStatus();
        out.println("Media relay: " + (mediaStatus.available() ? "on (WebRTC needs a non-loopback interface)"
                : "off (" + mediaStatus.problem() + ")"));
        out.flush();
        stopped.await();
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static void usage(PrintStream out) {
        out.println("Usage: java -jar alo-audio-server-standalone.jar [options]");
        out.println("  --host <address>       address to bind (default 127.0.0.1)");
        out.println("  --port <port>          port to bind (default " + DEFAULT_PORT + ", 0 = any free port)");
        out.println("  --secret <text>        HS256 secret, at least 32 bytes (else env " + SECRET_ENV
                + ", else random)");
        out.println("  --mint-token <userId>  print a token valid for 1 hour and exit");
        out.println("  --no-fault-injection   serve Tyrus directly, without the fault-injection relay");
        out.println("  --no-console           do not serve the web console (http://host:port/console/)");
        out.println("  --no-media             do not relay audio (no media.webrtc; the WebRTC library is not loaded)");
        out.println("  --no-session-resume    do not offer session.resume");
        out.println("  --resume-window <s>    seconds a session lost without a goodbye stays resumable (default 30)");
        out.println("  --max-connections <n>  the most WebSocket connections at once (default 10000)");
        out.println("  --max-connections-per-address <n>");
        out.println("                         the most WebSocket connections from one IP address (default 1000)");
    }
}

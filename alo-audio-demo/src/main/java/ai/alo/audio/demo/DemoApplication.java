package ai.alo.audio.demo;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The demo, end to end on the embedded reference audio service: a Weld SE application injects {@code AloAudio},
 * connects, prints each CDI event it observes, has the service drop it ({@code ERROR} / {@code "Lost connection to
 * the server"}), connects again, disconnects ({@code DISCONNECTED}) and exits with status 0. Any deviation exits
 * with status 1 and says what was expected.
 */
public final class DemoApplication {

    private static final PrintStream OUT = System.out;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AudioChannel CHANNEL = AudioChannel.pushToTalk("dispatch", "Dispatch");

    private DemoApplication() {
    }

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        logToStandardOutput();
        int status;
        try {
            run();
            OUT.println();
            OUT.println("Demo finished: every disconnect was reported exactly as expected.");
            status = 0;
        } catch (Exception | AssertionError e) {
            OUT.println();
            OUT.println("Demo FAILED: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static void run() throws Exception {
        try (AloAudioServer server = AloAudioServer.builder().build().start()) {
            OUT.println("1. Embedded reference audio service listening on " + server.uri());

            // Configuration as an application would provide it (MicroProfile Config, system properties or env).
            System.setProperty("alo.audio.server-uri", server.uri().toString());
            System.setProperty("alo.audio.user.id", "dispatcher-7");
            System.setProperty("alo.audio.user.name", "Dispatcher 7");
            System.setProperty("alo.audio.user.device-id", "console-7");
            System.setProperty("alo.audio.user-auth-token", server.tokens().issue("dispatcher-7", Duration.ofHours(1)));

            // Another participant already in the channel, so the demo shows who is there.
            try (AloAudio colleague = AloAudio.create(AloAudioConfig.builder().name("colleague")
                    .serverUri(server.uri()).user(new AudioUser("field-3", "Field unit 3", "radio-3"))
                    .userAuthToken(server.tokens().issue("field-3", Duration.ofHours(1))).build())) {
                colleague.connect(CHANNEL).get(10, TimeUnit.SECONDS);

                // An ordinary Weld SE boot: the demo's beans.xml makes it a bean archive, and the alo-audio-cdi
                // extension is found through META-INF/services and registers AloAudio itself.
                try (SeContainer container = SeContainerInitializer.newInstance().initialize()) {
                    DemoConsole console = container.select(DemoConsole.class).get();

                    OUT.println("2. connect(): joining channel '" + CHANNEL.id() + "'");
                    console.join(CHANNEL);
                    expect(console.state() == ConnectionState.CONNECTED, "state CONNECTED after connect()");

                    OUT.println("3. The service drops the connection (socket reset, no close frame)");
                    server.dropConnection("dispatcher-7");
                    DisconnectEvent lost = await(console);
                    expect(lost.state() == ConnectionState.ERROR, "state ERROR, was " + lost.state());
                    expect("Lost connection to the server".equals(lost.message()),
                            "message \"Lost connection to the server\", was \"" + lost.message() + "\"");

                    OUT.println("4. connect() again on the same bean");
                    console.join(CHANNEL);
                    expect(console.state() == ConnectionState.CONNECTED, "state CONNECTED after reconnect");

                    OUT.println("5. disconnect()");
                    console.leave();
                    expect(console.state() == ConnectionState.DISCONNECTED, "state DISCONNECTED after "
                            + "disconnect(), was " + console.state());
                    DisconnectEvent left = await(console);
                    expect(left.state() == ConnectionState.DISCONNECTED, "state DISCONNECTED, was " + left.state());
                    expect(left.message().isEmpty(), "no message for an intentional disconnect");

                    OUT.println("6. Shutting the CDI container down");
                }
                expect(server.participants(CHANNEL.id()).size() == 1, "only the colleague left in the channel");
            }
            OUT.println("7. Stopping the reference audio service");
        }
    }

    /** Routes log records to standard output, one whole line per call, so they never split a printed line. */
    private static void logToStandardOutput() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    OUT.print(getFormatter().format(record));
                }
            }

            @Override
            public void flush() {
                OUT.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        handler.setFormatter(new SimpleFormatter());
        root.addHandler(handler);
    }

    private static DisconnectEvent await(DemoConsole console) throws InterruptedException {
        DisconnectEvent event = console.nextDisconnect(WAIT);
        expect(event != null, "a DisconnectEvent within " + WAIT.toSeconds() + " s");
        return event;
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("expected " + what);
        }
    }
}

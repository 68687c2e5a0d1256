package ai.alo.audio.demo;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ReconnectedEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.ChannelMember;
import ai.alo.audio.server.MediaStatus;
import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.io.PrintStream;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The demo, end to end on the embedded reference audio service: a Weld SE application injects {@code AloAudio},
 * connects and speaks a 440 Hz tone into the channel, while a second client (plain Java, already in the channel)
 * records what it hears and the demo prints it (frequency and level). The application prints each CDI event it
 * observes, has the service drop it ({@code ERROR} / {@code "Lost connection to the server"}, {@code willReconnect}),
 * watches it reconnect on its own (a resumed session, heard again), disconnects ({@code DISCONNECTED}; the second client hears it no more) and exits with status 0.
 * Any deviation exits with status 1 and says what was expected; a bad argument exits with status 2.
 *
 * <p>Arguments: {@code --hold SECONDS} keeps the channel open that long after the reconnect, with the tone playing,
 * and prints the web console's address with a token for a user {@code listener}, so that a person can listen in a
 * browser.
 *
 * <p>Where the audio goes: WebRTC ignores loopback, so media needs a network interface. {@code bin/demo} runs this
 * JVM inside a network namespace of its own when it can (root, {@code ip netns}); otherwise the media runs on the
 * machine's interfaces, as any WebRTC application's does. The demo says which. If the native media library cannot be
 * loaded here, the demo says why and runs without audio (the disconnect contract is still shown and checked).
 */
public final class DemoApplication {

    private static final PrintStream OUT = System.out;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AudioChannel CHANNEL = AudioChannel.pushToTalk("dispatch", "Dispatch");
    private static final String TONE_ID = "demo-tone";
    private static final double TONE_HZ = 440;
    private static final double TONE_LEVEL = 0.5;
    private static final String EARS_ID = "field-3-ears";
    private static final String USAGE = "usage: bin/demo [--hold SECONDS] [--host-network]   (SECONDS: 1 to 3600; "
            + "keeps the channel open that long, with the tone playing, so that a browser can listen; bin/demo --help "
            + "says more)";

    private DemoApplication() {
    }

    /**
     * Runs the demo; exits the JVM with 0 (everything as expected), 1 (something was not) or 2 (bad arguments).
     *
     * @param args {@code --hold SECONDS}, optional
     */
    public static void main(String[] args) {
        int hold;
        try {
            hold = holdSeconds(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        logToStandardOutput();
        int status;
        try {
            run(hold);
            OUT.println();
            OUT.println("Demo finished: every disconnect was reported exactly as expected.");
            status = 0;
        } catch (Exception | AssertionError e) {
            OUT.println();
            OUT.println("Demo FAILED: " + e);
            status = 1;
        } catch (Throwable e) {
            // an Error (a class missing from a jar replaced under the running JVM, ...): still end the JVM, which
            // the native media threads would otherwise keep alive
            OUT.println();
            OUT.println("Demo FAILED: " + e);
            e.printStackTrace(OUT);
            status = 1;
        }
        System.exit(status);
    }

    private static void run(int holdSeconds) throws Exception {
        try (AloAudioServer server = AloAudioServer.builder().build().start()) {
            OUT.println("1. Embedded reference audio service listening on " + server.uri());
            OUT.println("   Web console (a browser joins a channel there with its own WebRTC): " + server.consoleUri());
            if (holdSeconds == 0) {
                OUT.println("   (to listen in a browser, run bin/demo --hold 60: the demo then prints a token for it)");
            }
            MediaStatus media = server.mediaStatus();
            boolean audio = media.available();
            if (audio) {
                OUT.println("   Audio: the service relays it over WebRTC; media runs " + network());
            } else {
                OUT.println("   Audio: NOT AVAILABLE here, the demo runs without it: " + media.problem());
            }

            // Configuration as an application would provide it (MicroProfile Config, system properties or env).
            System.setProperty("alo.audio.server-uri", server.uri().toString());
            System.setProperty("alo.audio.media-enabled", String.valueOf(audio));
            System.setProperty("alo.audio.audio-input-device-id", TONE_ID);
            System.setProperty("alo.audio.user.id", "dispatcher-7");
            System.setProperty("alo.audio.user.name", "Dispatcher 7");
            System.setProperty("alo.audio.user.device-id", "console-7");
            System.setProperty("alo.audio.user-auth-token", server.tokens().issue("dispatcher-7", Duration.ofHours(1)));

            // Another participant already in the channel, so the demo shows who is there; it records what it hears.
            Ears ears = new Ears();
            try (AloAudioRuntime colleagueRuntime = AloAudioRuntime.create(
                    AloAudioRuntimeConfig.builder().name("colleague").build())) {
                colleagueRuntime.devices().addPcmOutput(EARS_ID, "What Field unit 3 hears", ears);
                AloAudio colleague = colleagueRuntime.newClient(AloAudioConfig.builder().name("colleague")
                        .serverUri(server.uri()).mediaEnabled(audio).audioOutputDeviceId(EARS_ID)
                        .user(new AudioUser("field-3", "Field unit 3", "radio-3"))
                        .userAuthToken(server.tokens().issue("field-3", Duration.ofHours(1))).build());
                colleague.connect(CHANNEL).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                OUT.println("   Field unit 3 (a plain Java client) is in channel '" + CHANNEL.id() + "'"
                        + (audio ? " and records what it hears (a PCM output)" : ""));

                // An ordinary Weld SE boot: the demo's beans.xml makes it a bean archive, and the alo-audio-cdi
                // extension is found through META-INF/services and registers AloAudio itself.
                try (SeContainer container = SeContainerInitializer.newInstance().initialize()) {
                    DemoConsole console = container.select(DemoConsole.class).get();
                    console.addTone(TONE_ID, TONE_HZ, TONE_LEVEL);

                    OUT.println("2. connect(): joining channel '" + CHANNEL.id() + "'"
                            + (audio ? ", speaking a " + Math.round(TONE_HZ) + " Hz tone (audio input '"
                            + console.audioInput() + "')" : ""));
                    ears.expectAudio();
                    long connecting = System.nanoTime();
                    console.join(CHANNEL);
                    expect(console.state() == ConnectionState.CONNECTED, "state CONNECTED after connect()");
                    if (audio) {
                        expectHeard(ears, connecting);
                    }

                    OUT.println("3. The service drops the connection (socket reset, no close frame)");
                    long dropped = System.nanoTime();
                    server.dropConnection("dispatcher-7");
                    DisconnectEvent lost = await(console);
                    expect(lost.state() == ConnectionState.ERROR, "state ERROR, was " + lost.state());
                    expect("Lost connection to the server".equals(lost.message()),
                            "message \"Lost connection to the server\", was \"" + lost.message() + "\"");
                    expect(lost.willReconnect(), "willReconnect: the client reconnects on its own");

                    OUT.println("4. The client reconnects on its own (RECONNECT_PENDING, then CONNECTED)");
                    ReconnectedEvent back = console.nextReconnect(WAIT);
                    expect(back != null, "a ReconnectedEvent within " + WAIT.toSeconds() + " s");
                    expect(console.state() == ConnectionState.CONNECTED, "state CONNECTED after the reconnect, was "
                            + console.state());
                    expect(back.resumed(), "the service resumed the session (same session and participant id)");
                    if (audio) {
                        ears.expectAudio();
                        expectHeard(ears, dropped);
                    }
                    if (holdSeconds > 0) {
                        hold(server, holdSeconds, audio);
                    }

                    OUT.println("5. disconnect()");
                    console.leave();
                    long disconnected = System.nanoTime();
                    expect(console.state() == ConnectionState.DISCONNECTED, "state DISCONNECTED after "
                            + "disconnect(), was " + console.state());
                    DisconnectEvent left = await(console);
                    expect(left.state() == ConnectionState.DISCONNECTED, "state DISCONNECTED, was " + left.state());
                    expect(left.message().isEmpty(), "no message for an intentional disconnect");
                    if (audio) {
                        expectQuiet(ears, disconnected, "disconnect() returned");
                        expectSilence(ears);
                    }

                    OUT.println("6. Shutting the CDI container down");
                }
                List<String> members = server.participants(CHANNEL.id()).stream().map(ChannelMember::userId)
                        .toList();
                expect(!members.contains("dispatcher-7") && members.contains("field-3"),
                        "the colleague still in the channel, Dispatcher 7 not; in it: " + members);
                expect(ears.lost() == 0, "no frame lost by the recording output, lost " + ears.lost());
            }
            OUT.println("7. Stopping the reference audio service");
        }
    }

    /** The colleague hears the tone soon after {@code connect()}: prints when and what, and checks it. */
    private static void expectHeard(Ears ears, long connecting) throws InterruptedException {
        long audible = ears.awaitAudible(WAIT);
        expect(audible > 0, "Field unit 3 to hear Dispatcher 7 within " + WAIT.toSeconds() + " s of connect()");
        Thread.sleep(200); // past the onset: the receiver's jitter buffer settles
        Ears.Heard heard = ears.listen(Duration.ofSeconds(1), WAIT);
        OUT.printf(Locale.ROOT, "   Field unit 3 hears: %s; first audible %.0f ms after connect() was called%n",
                heard, (audible - connecting) / 1e6);
        expect(heard.seconds() >= 0.9, "a second of audio at Field unit 3, got " + heard);
        expect(heard.isTone(TONE_HZ), "Field unit 3 to hear the " + Math.round(TONE_HZ) + " Hz tone, heard " + heard);
    }

    /** After the client's connection ended, the colleague hears it no more (once what was in flight played out). */
    private static void expectQuiet(Ears ears, long ended, String what) throws InterruptedException {
        long lastAudible = ears.awaitQuiet(Duration.ofMillis(300), WAIT);
        expect(lastAudible >= 0, "Field unit 3 to stop hearing the tone within " + WAIT.toSeconds() + " s of " + what);
        OUT.println("   Field unit 3 hears the tone no more: last audible frame " + (lastAudible > ended
                ? String.format(Locale.ROOT, "%.0f ms after ", (lastAudible - ended) / 1e6) : "before ") + what);
    }

    /** And stays so: half a second more of what the colleague hears holds none of the tone. */
    private static void expectSilence(Ears ears) throws InterruptedException {
        Ears.Heard heard = ears.listen(Duration.ofMillis(500), Duration.ofSeconds(1));
        double toneLevel = heard.levelAt(TONE_HZ);
        OUT.printf(Locale.ROOT, "   Field unit 3 hears: %s; the %d Hz tone at RMS %.4f%n", heard, Math.round(TONE_HZ),
                toneLevel);
        expect(toneLevel < Ears.AUDIBLE_LEVEL, "Field unit 3 to hear the tone no more after disconnect(), heard it at"
                + " RMS " + toneLevel);
    }

    /** Keeps the channel open with the tone playing, and says how a browser can listen. */
    private static void hold(AloAudioServer server, int seconds, boolean audio) throws InterruptedException {
        String token = server.tokens().issue("listener", Duration.ofSeconds(seconds + 300L));
        // The token goes into the fragment, which a browser never sends to a server; the page removes it at once.
        String url = server.consoleUri() + "#user=listener&name=Listener&channel=" + encode(CHANNEL.id())
                + "&channelName=" + encode(CHANNEL.name()) + "&src=tone&freq=660&auto=1&token=" + token;
        OUT.println("   Holding the channel open for " + seconds + " s" + (audio ? " with the tone playing" : "")
                + ". To listen, open in a browser (user 'listener'; its token is valid for " + (seconds + 300)
                + " s):");
        OUT.println("     " + url);
        String namespace = System.getenv("ALO_NETNS");
        if (namespace != null && !namespace.isBlank()) {
            OUT.println("   This demo runs inside network namespace " + namespace + ": the address works only from a "
                    + "browser in it, for example");
            OUT.println("     ip netns exec " + namespace + " chromium --no-sandbox --user-data-dir=$(mktemp -d) "
                    + "'<the address above>'");
            OUT.println("   or run 'bin/demo --host-network --hold " + seconds + "' to use a browser on this machine.");
        }
        OUT.println("   (the channel is push-to-talk: the page's 'Hold to talk' sends a 660 Hz tone, which Field unit "
                + "3 hears too; let go of it before the hold ends)");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(15)));
            long remaining = TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime());
            if (remaining > 0) {
                OUT.println("   ... " + remaining + " s left; in the channel: " + server.participants(CHANNEL.id())
                        .stream().map(ChannelMember::name).toList());
            }
        }
    }

    /** Where WebRTC finds its network: the namespace bin/demo made, or the machine's own interfaces. */
    private static String network() {
        String namespace = System.getenv("ALO_NETNS");
        if (namespace != null && !namespace.isBlank()) {
            return "inside network namespace " + namespace + " (" + System.getenv("ALO_NETNS_ADDRESSES")
                    + "), made by bin/netns-exec: nothing leaves this machine";
        }
        return "on this machine's network interfaces (" + String.join(", ", interfaceNames()) + "), as any WebRTC "
                + "application's does (bin/demo uses a network namespace of its own only as root)";
    }

    private static List<String> interfaceNames() {
        List<String> names = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback() && Collections.list(nic.getInetAddresses()).stream()
                        .anyMatch(a -> !a.isLinkLocalAddress() && !a.isLoopbackAddress())) {
                    names.add(nic.getName());
                }
            }
        } catch (SocketException e) {
            names.add("unknown: " + e.getMessage());
        }
        return names.isEmpty() ? List.of("none found: WebRTC will not connect") : names;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Parses {@code --hold SECONDS}; 0 when absent. */
    static int holdSeconds(String[] args) {
        int hold = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--hold".equals(args[i]) && i + 1 < args.length) {
                try {
                    hold = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--hold needs a whole number of seconds, not '" + args[i] + "'");
                }
                if (hold < 1 || hold > 3600) {
                    throw new IllegalArgumentException("--hold needs 1 to 3600 seconds, not " + hold);
                }
            } else if ("--hold".equals(args[i])) {
                throw new IllegalArgumentException("--hold needs a number of seconds");
            } else {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        return hold;
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

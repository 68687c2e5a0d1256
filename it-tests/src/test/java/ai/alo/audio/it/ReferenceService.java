package ai.alo.audio.it;

import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.ChannelMember;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The reference audio service, running in the test JVM (outside the application server) for the whole failsafe run;
 * the applications in the server connect to it over loopback. Also records what the service saw, for assertions on
 * its side.
 */
final class ReferenceService {

    static final long WAIT_SECONDS = 20;

    private static AloAudioServer server;
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private ReferenceService() {
    }

    /** The running service, started on first use and stopped when the test JVM exits. */
    static synchronized AloAudioServer get() {
        if (server == null) {
            server = AloAudioServer.builder().build().start();
            server.addListener(new Recorder());
            AloAudioServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::kill, "reference-service-stop"));
        }
        return server;
    }

    static String token(String userId) {
        return get().tokens().issue(userId, Duration.ofHours(2));
    }

    /** Waits until the service saw an entry starting with {@code prefix}, e.g. {@code "closed user-1 1001"}. */
    static String await(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            for (String entry : SEEN) {
                if (entry.startsWith(prefix)) {
                    return entry;
                }
            }
            synchronized (SEEN) {
                SEEN.wait(20);
            }
        }
        throw new AssertionError("the reference service never saw '" + prefix + "'; it saw " + seenBy(prefix));
    }

    /** Everything seen about a user, in order. */
    static List<String> seenBy(String text) {
        String[] words = text.split(" ");
        String user = words.length > 1 ? words[1] : text;
        List<String> out = new ArrayList<>();
        for (String entry : SEEN) {
            if (entry.contains(" " + user + " ") || entry.endsWith(" " + user)) {
                out.add(entry);
            }
        }
        return out;
    }

    private static void record(String entry) {
        SEEN.add(entry);
        synchronized (SEEN) {
            SEEN.notifyAll();
        }
    }

    /** Records the service's view: sessions opened and closed, participants joined and left. */
    private static final class Recorder implements ServerListener {

        @Override
        public void onSessionWelcomed(SessionInfo session) {
            record("welcomed " + session.userId() + " " + session.name());
        }

        @Override
        public void onParticipantJoined(String channelId, ChannelMember participant) {
            record("joined " + participant.userId() + " " + channelId + " " + participant.name());
        }

        @Override
        public void onParticipantLeft(String channelId, ChannelMember participant, String reason) {
            record("left " + participant.userId() + " " + channelId + " " + reason);
        }

        @Override
        public void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
            record("closed " + session.userId() + " " + closeCode);
        }
    }
}

package ai.alo.audio.benchmarks;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioListener;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client under test: one {@link AloAudio} with the default configuration (close grace 250 ms, heartbeat 1 s /
 * 2.5 s, its own daemon threads) and a listener that stamps {@link System#nanoTime()} when a {@link DisconnectEvent}
 * is delivered. Reused across iterations: connect, one measured end, back to {@code DISCONNECTED}.
 */
final class AloAudioDriver implements AutoCloseable {

    private static final long SETUP_TIMEOUT_SECONDS = 10;

    /** A delivered {@link DisconnectEvent} and the moment the listener got it. */
    record Delivered(long atNanos, DisconnectEvent event) {
    }

    private final AloAudio audio;
    private final AudioChannel channel;
    private final String threadPrefix;
    private final BlockingQueue<Delivered> disconnects = new LinkedBlockingQueue<>();
    private final BlockingQueue<ParticipantsChangedEvent> participants = new LinkedBlockingQueue<>();

    AloAudioDriver(String name, URI uri, String userId, String token, String channelId) {
        this.channel = AudioChannel.pushToTalk(channelId, channelId);
        this.threadPrefix = "alo-audio-" + name + "-c";
        this.audio = AloAudio.create(AloAudioConfig.builder()
                .name(name)
                .serverUri(uri)
                .user(AudioUser.of(userId, "Bench"))
                .userAuthToken(token)
                .build());
        audio.addListener(new AloAudioListener() {
            @Override
            public void onDisconnect(DisconnectEvent event) {
                disconnects.add(new Delivered(System.nanoTime(), event));
            }

            @Override
            public void onParticipantsChanged(ParticipantsChangedEvent event) {
                participants.add(event);
            }
        });
    }

    AloAudio audio() {
        return audio;
    }

    /**
     * Connects and returns once {@code CONNECTED} and the joined participant list have been delivered to the
     * listener, so that the dispatcher is idle when the measurement starts.
     *
     * @throws Exception if the connect fails or times out
     */
    void connect() throws Exception {
        disconnects.clear();
        participants.clear();
        try {
            audio.connect(channel).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("connect failed: " + e, e);
        }
        if (participants.poll(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS) == null) {
            throw new IllegalStateException("no participant list delivered after connect");
        }
        if (audio.state() != ConnectionState.CONNECTED) {
            throw new IllegalStateException("state after connect is " + audio.state());
        }
    }

    /**
     * Waits for the next delivered {@link DisconnectEvent}.
     *
     * @param expected the state it must carry
     * @return it, with the moment of delivery
     * @throws InterruptedException if interrupted
     */
    Delivered awaitDisconnect(ConnectionState expected) throws InterruptedException {
        Delivered delivered = disconnects.poll(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (delivered == null) {
            throw new IllegalStateException("no DisconnectEvent within " + SETUP_TIMEOUT_SECONDS + " s");
        }
        if (delivered.event().state() != expected) {
            throw new IllegalStateException("DisconnectEvent with state " + delivered.event().state() + " ("
                    + delivered.event().reason() + ": " + delivered.event().message() + "), expected " + expected);
        }
        return delivered;
    }

    /**
     * Counts the live threads of the client's connection attempts ({@code alo-audio-<name>-c<n>-<m>}); zero after a
     * {@code disconnect()} that kept its contract. Cheap: no stack traces.
     *
     * @return the count
     */
    int liveConnectionThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (all[i].getName().startsWith(threadPrefix) && all[i].isAlive()) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void close() {
        audio.close();
    }
}

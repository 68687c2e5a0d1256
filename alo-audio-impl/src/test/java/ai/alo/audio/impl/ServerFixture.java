package ai.alo.audio.impl;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioConfig;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.impl.runtime.ClientRuntime;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.AudioUser;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.server.ServerListener;
import ai.alo.audio.server.SessionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An embedded reference audio server plus helpers to make clients of it. Closes everything it made. */
final class ServerFixture implements AutoCloseable {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("dispatch", "Dispatch");
    private static final AtomicInteger USERS = new AtomicInteger();

    private static final AtomicInteger RUNTIMES = new AtomicInteger();

    final AloAudioServer server;
    final ServerEvents events = new ServerEvents();
    /** The runtime of this fixture's clients: its threads are named {@code alo-test-<n>-...}. */
    final ClientRuntime runtime;
    private final List<AloAudio> clients = new CopyOnWriteArrayList<>();

    ServerFixture() {
        this(AloAudioServer.builder());
    }

    ServerFixture(AloAudioServer.Builder builder) {
        this(builder, AloAudioRuntimeConfig.builder());
    }

    ServerFixture(AloAudioServer.Builder builder, AloAudioRuntimeConfig.Builder runtimeConfig) {
        server = builder.build().start();
        server.addListener(events);
        runtime = (ClientRuntime) new DefaultAloAudioProvider().createRuntime(runtimeConfig
                .name("alo-test-" + RUNTIMES.incrementAndGet()).build());
    }

    AloAudioConfig.Builder config(String userId) {
        return AloAudioConfig.builder()
                .serverUri(server.uri())
                .mediaEnabled(false) // signalling tests; media tests (*MediaTest) enable it
                // these tests prove the contract of one connection (its loss, its one event); automatic reconnects
                // are proved in alo-audio-scenarios, through the test kit's fault proxy
                .reconnectPolicy(ai.alo.audio.spi.ReconnectPolicy.never())
                .user(new AudioUser(userId, "User " + userId, "device-" + userId))
                .userAuthToken(server.tokens().issue(userId, Duration.ofHours(1)));
    }

    static String newUserId() {
        return "user-" + USERS.incrementAndGet();
    }

    AloAudio client(AloAudioConfig config, RecordingListener listener) {
        AloAudio client = runtime.newClient(config);
        if (listener != null) {
            client.addListener(listener);
        }
        clients.add(client);
        return client;
    }

    AloAudio client(String userId, RecordingListener listener) {
        return client(config(userId).name(userId).build(), listener);
    }

    /**
     * Waits (bounded) until the fixture's clients hold no socket and no timer task: what a released connection
     * returns to the runtime.
     */
    void awaitNothingHeld() throws InterruptedException {
        DisconnectSafetyTest.awaitTrue("the connections' handles to be returned (sockets " + runtime.openConnections()
                + ", timer tasks " + runtime.pendingTimerTasks() + ")",
                () -> runtime.openConnections() == 0 && runtime.pendingTimerTasks() == 0);
    }

    /** Fails unless the fixture's clients hold no socket and no timer task right now. */
    void assertNothingHeld() {
        org.junit.jupiter.api.Assertions.assertEquals(0, runtime.openConnections(), "sockets held");
        org.junit.jupiter.api.Assertions.assertEquals(0, runtime.pendingTimerTasks(), "timer tasks held");
    }

    @Override
    public void close() {
        for (AloAudio client : clients) {
            client.close();
        }
        runtime.close();
        server.close();
    }

    /** What the server saw, in order, for assertions on its side. */
    static final class ServerEvents implements ServerListener {

        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final List<String> all = new CopyOnWriteArrayList<>();

        private void add(String entry) {
            all.add(entry);
            log.add(entry);
        }

        @Override
        public void onSessionOpened(SessionInfo session) {
            add("opened " + session.userId());
        }

        @Override
        public void onMessage(SessionInfo session, String type) {
            add("message " + session.userId() + " " + type);
        }

        @Override
        public void onParticipantJoined(String channelId, ai.alo.audio.server.ChannelMember participant) {
            add("joined " + participant.userId() + " " + channelId);
        }

        @Override
        public void onParticipantLeft(String channelId, ai.alo.audio.server.ChannelMember participant,
                                      String reason) {
            add("left " + participant.userId() + " " + channelId + " " + reason);
        }

        @Override
        public void onSessionClosed(SessionInfo session, int closeCode, String reasonPhrase) {
            add("closed " + session.userId() + " " + closeCode);
        }

        /** Waits for an entry that starts with {@code prefix}; returns it. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingListener.WAIT_SECONDS);
            while (true) {
                for (String entry : all) {
                    if (entry.startsWith(prefix)) {
                        return entry;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("server never saw '" + prefix + "'; saw " + all);
                }
                log.poll(left, TimeUnit.NANOSECONDS);
            }
        }

        List<String> entriesFor(String userId) {
            List<String> out = new ArrayList<>();
            for (String entry : all) {
                if (entry.contains(" " + userId + " ") || entry.endsWith(" " + userId)) {
                    out.add(entry);
                }
            }
            return out;
        }
    }
}

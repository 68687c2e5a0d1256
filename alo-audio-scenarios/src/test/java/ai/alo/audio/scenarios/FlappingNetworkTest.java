package ai.alo.audio.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioChannel;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.DisconnectReason;
import ai.alo.audio.ReconnectBackoff;
import ai.alo.audio.event.ConnectionChangeEvent;
import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.server.AloAudioServer;
import ai.alo.audio.testkit.AloAudioTestKit;
import ai.alo.audio.testkit.FaultProxy;
import ai.alo.audio.testkit.TestUsers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A flapping network: up and down every second for a minute, then up for good. Two kinds of flapping run at the same
 * time, each through its own fault proxy in front of the same service:
 * <ul>
 *   <li>"reset": down is {@link FaultProxy#cut()} plus {@link FaultProxy#refuseNew(boolean) refuseNew(true)} for a
 *       second, up is {@code refuseNew(false)} for a second. Five clients with the default reconnect policy and one
 *       with a small budget.</li>
 *   <li>"black hole": {@link FaultProxy#blackHole(boolean)} on for a second, off for a second. Five clients with the
 *       default policy. A one-second black hole is shorter than the heartbeat can detect (1.8 s), so these clients are
 *       expected to ride it out; whatever losses they see must follow the same rules.</li>
 * </ul>
 * Afterwards every client with the default policy is {@code CONNECTED} within the policy's schedule (its longest wait,
 * 15 s, plus a margin), and the small-budget client ended with exactly one final {@code RECONNECT_FAILED} event. For
 * every client: every loss was reported by exactly one {@code DisconnectEvent}, every {@code RECONNECT_PENDING} period
 * ended in {@code CONNECTED} or the final event ({@link SessionRules}), no attempt came earlier than the policy's
 * schedule allows ({@link AttemptSchedule}: no loop), and after {@code close()} the runtime's threads and the file
 * descriptors are back to their baseline. About 80 s: 60 s of flapping, then up to the policy's longest wait (15 s).
 */
class FlappingNetworkTest {

    static final AudioChannel CHANNEL = AudioChannel.pushToTalk("flap", "Flapping");
    static final Duration FLAPPING = Duration.ofSeconds(60);
    static final Duration HALF_PERIOD = Duration.ofSeconds(1);
    static final String RUNTIME = "flap-test";
    static final ReconnectBackoff DEFAULT_POLICY = ReconnectBackoff.defaults();
    static final ReconnectBackoff SMALL_BUDGET = ReconnectBackoff.defaults().withInitialDelay(Duration.ofMillis(200))
            .withMaxDelay(Duration.ofMillis(400)).withBudget(Duration.ofSeconds(3));
    /** An attempt's time stamp may be this much earlier than the schedule (clock granularity). */
    static final Duration TOLERANCE = Duration.ofMillis(20);
    /** A late timer on a busy machine may start an attempt this much after the budget. */
    static final Duration BUDGET_SLACK = Duration.ofSeconds(2);

    @RegisterExtension
    final AloAudioTestKit kit = AloAudioTestKit.builder().scope(AloAudioTestKit.Scope.TEST).build();

    /** One client under test and what it recorded. */
    private record Subject(String kind, AloAudio client, EventLog log, ReconnectBackoff policy) {
    }

    @Test
    void networkUpAndDownEverySecondForAMinuteEndsConnectedWithoutLoops(FaultProxy resetProxy, AloAudioServer server,
                                                                        TestUsers users) throws Exception {
        warmUp(users);
        int threadsBefore = Thread.getAllStackTraces().size();
        int fdsBefore = Resources.openFds();

        List<Subject> subjects = new ArrayList<>();
        try (FaultProxy holeProxy = FaultProxy.start(server.uri());
             AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name(RUNTIME).build())) {
            for (int i = 0; i < 5; i++) {
                subjects.add(subject(runtime, users, "reset", "reset-" + i, resetProxy, DEFAULT_POLICY, server));
                subjects.add(subject(runtime, users, "hole", "hole-" + i, holeProxy, DEFAULT_POLICY, server));
            }
            Subject small = subject(runtime, users, "small-budget", "small-budget", resetProxy, SMALL_BUDGET, server);
            subjects.add(small);
            List<CompletableFuture<AudioChannel>> connects = new ArrayList<>();
            for (Subject s : subjects) {
                connects.add(s.client().connect(CHANNEL));
            }
            for (CompletableFuture<AudioChannel> c : connects) {
                c.get(20, TimeUnit.SECONDS);
            }

            // -- a minute of flapping, on an absolute schedule so that slow fault commands do not stretch it
            long start = System.nanoTime();
            long half = HALF_PERIOD.toNanos();
            int cycles = 0;
            while (cycles < FLAPPING.toNanos() / (2 * half)) {
                long cycleStart = start + 2L * cycles * half;
                resetProxy.refuseNew(true);
                resetProxy.cut();
                holeProxy.blackHole(true);
                sleepUntil(cycleStart + half);
                resetProxy.refuseNew(false);
                holeProxy.blackHole(false);
                sleepUntil(cycleStart + 2 * half);
                cycles++;
            }
            resetProxy.heal();
            holeProxy.heal();
            long up = System.nanoTime();

            // -- up for good: every default-policy client connected within the policy's schedule
            Duration bound = DEFAULT_POLICY.maxDelay().plus(Duration.ofSeconds(10));
            for (Subject s : subjects) {
                if (s.policy() == SMALL_BUDGET) {
                    continue;
                }
                awaitState(s, ConnectionState.CONNECTED, up + bound.toNanos());
            }
            long backMs = (System.nanoTime() - up) / 1_000_000;

            // -- the small budget: its budget ran out long ago, so it ends with exactly one final RECONNECT_FAILED,
            // unless a reconnect made in the last up phase held (then it is connected and has no final event)
            long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (small.client().state() != ConnectionState.CONNECTED
                    && small.client().state() != ConnectionState.ERROR) {
                if (System.nanoTime() - settle > 0) {
                    throw new AssertionError("the small-budget client neither connected nor gave up: "
                            + small.log().sequence());
                }
                Thread.sleep(20);
            }
            DisconnectEvent smallFinal = null;
            if (small.client().state() == ConnectionState.ERROR) {
                smallFinal = small.log().awaitFinal(Duration.ofSeconds(10));
                assertEquals(DisconnectReason.RECONNECT_FAILED, smallFinal.reason(), small.log().sequence().toString());
            }

            // -- nothing more arrives: the connected stay connected, the small-budget client stays ended
            // (participant changes may still come: the other clients of the channel are still rejoining)
            List<Integer> sizes = subjects.stream().map(s -> s.log().shape().size()).toList();
            Thread.sleep(2_000);
            StringBuilder report = new StringBuilder("flapping: " + cycles + " cycles; back "
                    + backMs + " ms after the network stayed up");
            for (int i = 0; i < subjects.size(); i++) {
                Subject s = subjects.get(i);
                List<String> sequence = s.log().sequence();
                int[] counts = SessionRules.check(sequence);
                AttemptSchedule.Summary attempts = AttemptSchedule.check(s.log().events(), s.policy(), TOLERANCE,
                        BUDGET_SLACK);
                long lossEvents = s.log().disconnects().stream().filter(DisconnectEvent::willReconnect).count();
                long lossTransitions = s.log().all(ConnectionChangeEvent.class).stream()
                        .filter(e -> e.previousState() == ConnectionState.CONNECTED
                                && e.state() == ConnectionState.ERROR).count();
                long connecting = sequence.stream().filter("CONNECTING"::equals).count();
                report.append("\n  ").append(s.client().config().name()).append(": losses ").append(counts[0])
                        .append(", attempts ").append(attempts.attempts()).append(" in ").append(attempts.outages())
                        .append(" outages (longest ").append(attempts.longestOutageAttempts()).append("), finals ")
                        .append(counts[1]).append(", state ").append(s.client().state());
                // every loss of an established connection is exactly one DisconnectEvent
                long eventsOfLosses = s.log().disconnects().stream().filter(DisconnectEvent::wasConnected).count();
                assertEquals(lossTransitions, eventsOfLosses, s.client().config().name() + ": " + sequence);
                assertEquals(counts[0], lossEvents, s.client().config().name());
                // CONNECTING: the first connect plus the reconnect attempts, each within the schedule
                assertEquals(1 + attempts.attempts(), connecting, s.client().config().name() + ": " + sequence);
                assertEquals(sizes.get(i), s.log().shape().size(), s.client().config().name()
                        + " connection changes or disconnects after the end: "
                        + sequence);
                if (s == small) {
                    assertEquals(smallFinal == null ? 0 : 1, counts[1], sequence.toString());
                } else {
                    assertEquals(0, counts[1], s.client().config().name() + " ended: " + sequence);
                    assertEquals(ConnectionState.CONNECTED, s.client().state());
                }
                if (s.kind().equals("reset")) {
                    // 30 resets: the client lost its connection at least once, and made no more attempts in one outage
                    // than the policy's schedule allows in the whole run
                    assertTrue(counts[0] >= 1, s.client().config().name() + " never lost its connection: " + sequence);
                    int allowed = AttemptSchedule.maxAttempts(s.policy(), FLAPPING.plus(bound));
                    assertTrue(attempts.longestOutageAttempts() <= allowed, s.client().config().name() + " made "
                            + attempts.longestOutageAttempts() + " attempts in one outage; the policy allows "
                            + allowed + " in " + FLAPPING.plus(bound).toSeconds() + " s");
                }
            }
            System.out.println(report);

            for (Subject s : subjects) {
                s.client().disconnect();
                s.client().close();
            }
            for (Subject s : subjects) {
                SessionRules.check(s.log().sequence());
            }
        }
        assertEquals(List.of(), Resources.threads(RUNTIME + "-"), "threads of the runtime left");
        int threads = Resources.awaitAtMost(() -> Thread.getAllStackTraces().size(), threadsBefore,
                Duration.ofSeconds(10));
        assertTrue(threads <= threadsBefore, "threads: " + threadsBefore + " before, " + threads + " after: "
                + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
        int fds = Resources.awaitAtMost(Resources::openFds, fdsBefore, Duration.ofSeconds(10));
        assertTrue(fds <= fdsBefore, "file descriptors: " + fdsBefore + " before, " + fds + " after");
    }

    private static Subject subject(AloAudioRuntime runtime, TestUsers users, String kind, String name,
                                   FaultProxy proxy, ReconnectBackoff policy, AloAudioServer server) {
        EventLog log = new EventLog();
        AloAudio client = runtime.newClient(users.user(name).config().serverUri(proxy.uri(server.uri())).name(name)
                .reconnectPolicy(policy).build());
        client.addListener(log);
        return new Subject(kind, client, log, policy);
    }

    /**
     * One client connected and closed with its own runtime before the baseline is taken, so that what the service,
     * the proxy and the shared client container create lazily on the first connection is in the baseline.
     */
    private static void warmUp(TestUsers users) throws Exception {
        try (AloAudioRuntime runtime = AloAudioRuntime.create(AloAudioRuntimeConfig.builder().name(RUNTIME + "-warm")
                .build());
             AloAudio client = runtime.newClient(users.user("warm-up").config().name("warm-up").build())) {
            client.connect(CHANNEL).get(20, TimeUnit.SECONDS);
            client.disconnect();
        }
        Resources.awaitAtMost(() -> Resources.threads(RUNTIME + "-warm").size(), 0, Duration.ofSeconds(10));
    }

    private static void awaitState(Subject s, ConnectionState state, long deadlineNanos) throws InterruptedException {
        while (s.client().state() != state) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new AssertionError(s.client().config().name() + " not " + state
                        + " within the policy's schedule; "
                        + "state " + s.client().state() + ", events " + s.log().sequence());
            }
            Thread.sleep(20);
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}

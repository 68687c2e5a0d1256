package ai.alo.audio.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.alo.audio.AloAudio;
import ai.alo.audio.AloAudioRuntime;
import ai.alo.audio.AloAudioRuntimeConfig;
import ai.alo.audio.AudioUser;
import ai.alo.audio.ConnectionState;
import ai.alo.audio.event.ConnectionChangeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.se.SeContainer;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link AloAudioRuntime} per deployment: every client runs on it, the module's threads do not grow with the
 * number of clients, and when the container has shut down none of them is alive and the file descriptors are back.
 */
class RuntimeLifecycleTest extends ServerBackedTest {

    /** An async observer that can be made to block, to pile up deliveries on the async executor. */
    @ApplicationScoped
    static class BlockingAsyncObserver {
        static volatile CountDownLatch release = new CountDownLatch(0);
        static final Semaphore ENTERED = new Semaphore(0);

        void on(@ObservesAsync ConnectionChangeEvent event) throws InterruptedException {
            ENTERED.release();
            release.await(Recording.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private final ServerEvents serverEvents = new ServerEvents();

    @BeforeEach
    void listen() {
        BlockingAsyncObserver.release = new CountDownLatch(0);
        BlockingAsyncObserver.ENTERED.drainPermits();
        server.addListener(serverEvents);
    }

    @AfterEach
    void stopListening() {
        BlockingAsyncObserver.release.countDown();
        server.removeListener(serverEvents);
    }

    @Test
    void everyClient_runsOnTheDeploymentsRuntime_oneRuntimePerDeployment() throws Exception {
        configureDefaultClient();
        SeContainer first = boot(DefaultClientTest.Dispatch.class);
        AloAudio audio = first.select(DefaultClientTest.Dispatch.class).get().audio();
        audio.state(); // creates the default client
        AloAudio support = newFactoryClient(first, "support");
        AloAudioRuntime runtime = first.select(ClientRegistry.class).get().runtime().orElseThrow();
        assertEquals(Set.of("default", "support"),
                runtime.clients().stream().map(c -> c.config().name()).collect(Collectors.toSet()));
        assertTrue(runtime.clients().contains(support));
        assertTrue(runtime.config().name().matches("alo-audio-cdi-\\d+"), runtime.config().name());

        SeContainer second = boot(DefaultClientTest.Dispatch.class);
        second.select(DefaultClientTest.Dispatch.class).get().audio().state();
        AloAudioRuntime other = second.select(ClientRegistry.class).get().runtime().orElseThrow();
        assertNotEquals(runtime.config().name(), other.config().name(), "each deployment has its own runtime");
        assertSame(runtime, first.select(ClientRegistry.class).get().runtime().orElseThrow());

        second.close();
        assertTrue(other.isClosed(), "the second deployment's runtime ended with it");
        assertFalse(runtime.isClosed(), "the first deployment's runtime is not affected");
        assertEquals(ConnectionState.NOT_CONNECTED, support.state());
    }

    @Test
    void asyncDeliveries_ofManyClients_shareOneBoundedPool() throws Exception {
        configureDefaultClient();
        SeContainer container = boot(BlockingAsyncObserver.class);
        BlockingAsyncObserver.release = new CountDownLatch(1);
        int clientCount = 2 * ContainerExecutors.ASYNC_THREADS + 2;
        List<AloAudio> clients = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            AloAudio client = newFactoryClient(container, "many-" + i);
            clients.add(client);
            client.connect(CHANNEL); // each client's CONNECTING event becomes an async delivery
        }
        // every async thread is busy in the blocked observer; the other deliveries wait in the shared queue
        assertTrue(BlockingAsyncObserver.ENTERED.tryAcquire(ContainerExecutors.ASYNC_THREADS,
                Recording.WAIT_SECONDS, TimeUnit.SECONDS), "the async pool's threads run the observer");
        AloAudioRuntime runtime = container.select(ClientRegistry.class).get().runtime().orElseThrow();
        String prefix = runtime.config().name() + "-";
        List<String> async = threadNames(prefix + "async-");
        assertEquals(ContainerExecutors.ASYNC_THREADS, async.size(), clientCount + " clients, one pool: " + async);

        BlockingAsyncObserver.release.countDown();
        for (AloAudio client : clients) {
            client.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        }
        AloAudioRuntimeConfig config = runtime.config();
        int bound = config.ioThreads() + 2 * config.eventThreads() + config.connectThreads() + 1
                + ContainerExecutors.ASYNC_THREADS;
        List<String> all = threadNames(prefix);
        assertTrue(all.size() <= bound, clientCount + " connected clients hold " + all.size() + " threads, more than "
                + "the runtime's bound " + bound + ": " + all);
    }

    @Test
    void containerShutdown_endsEveryThreadOfTheRuntime_andReleasesFileDescriptors() throws Exception {
        assumeTrue(fileDescriptors() >= 0, "needs /proc/self/fd");
        configureDefaultClient();
        runApplication(); // warm-up: classes loaded, server-side pools started
        int fdsBefore = fileDescriptors();

        String runtimeName = runApplication();

        // nothing to wait for: the container's shutdown returned after the runtime's threads had ended
        assertEquals(List.of(), threadNames(runtimeName + "-"), "threads of " + runtimeName + " after shutdown");
        assertEquals(List.of(), threadNames(ClientRegistry.RUNTIME_PREFIX), "no thread of any CDI runtime is left");
        // the server (same JVM) closes its side when it sees the close frames; then the count must be back
        assertTrue(awaitAtMost(() -> fileDescriptors() <= fdsBefore, Duration.ofSeconds(Recording.WAIT_SECONDS)),
                () -> "file descriptors " + fdsBefore + " -> " + fileDescriptors());
    }

    /**
     * Boots an application with the default client and a factory client, both connected, with async observers that
     * run; shuts it down; waits until the server saw both sessions close.
     *
     * @return the name of the application's runtime
     */
    private String runApplication() throws Exception {
        SeContainer container = boot(DefaultClientTest.Dispatch.class, RecordingObserver.class);
        AloAudio audio = container.select(DefaultClientTest.Dispatch.class).get().audio();
        RecordingObserver observer = container.select(RecordingObserver.class).get();
        AloAudio support = newFactoryClient(container, "support");
        audio.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        support.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        support.disconnect();
        observer.asyncDisconnects().next(); // the async pool ran
        support.connect(CHANNEL).get(10, TimeUnit.SECONDS);
        String userA = audio.user().id();
        String userB = support.user().id();
        String runtimeName = container.select(ClientRegistry.class).get().runtime().orElseThrow().config().name();
        List<String> running = threadNames(runtimeName + "-");
        for (String role : List.of("-io-", "-event-", "-timer-", "-async-")) {
            assertTrue(running.stream().anyMatch(n -> n.contains(role)), "the name filter sees the " + role
                    + " threads: " + running);
        }

        container.close();

        // (ShutdownTest checks the close codes; here only that the server has closed its side)
        Set<String> open = new java.util.HashSet<>(Set.of(userA, userB));
        while (!open.isEmpty()) {
            ServerEvents.Closed closed = serverEvents.closed().next();
            if (server.sessions().stream().noneMatch(s -> s.userId().equals(closed.userId()))) {
                open.remove(closed.userId());
            }
        }
        return runtimeName;
    }

    private static AloAudio newFactoryClient(SeContainer container, String name) {
        AloAudioFactory factory = container.select(AloAudioFactory.class).get();
        String userId = newUserId(name);
        return factory.create(factory.configuration(name)
                .user(AudioUser.of(userId, name))
                .userAuthToken(server.tokens().issue(userId, Duration.ofHours(1)))
                .build());
    }

    private static List<String> threadNames(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .sorted()
                .toList();
    }

    /** Open file descriptors of this process (Linux), or -1 when they cannot be counted. */
    private static int fileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Checks {@code condition} until it holds or {@code timeout} has passed, pausing briefly between checks. */
    private static boolean awaitAtMost(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore never = new Semaphore(0);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            never.tryAcquire(20, TimeUnit.MILLISECONDS); // a bounded pause; nothing releases it
        }
        return true;
    }
}

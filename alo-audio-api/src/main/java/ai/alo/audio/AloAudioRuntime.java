package ai.alo.audio;

import ai.alo.audio.spi.AloAudioProvider;
import ai.alo.audio.media.AudioDevices;
import java.util.List;

/**
 * The resources that many {@link AloAudio} clients of one application share: the socket I/O threads, one timer, the
 * event-dispatch threads (each client keeps its own ordered queue on them), the connect threads and the message codec.
 * The number of threads a runtime holds does not depend on the number of its clients; the bound is stated in
 * {@code docs/architecture.md} and by {@link AloAudioRuntimeConfig}.
 *
 * <h2>Who owns a runtime</h2>
 * <ul>
 *   <li>{@link AloAudio#create(AloAudioConfig)} uses the implementation's <em>default</em> runtime: created on first use,
 *       shared by every client created that way with the same class loader, and ended when the last of them is
 *       closed. Most Java SE applications need nothing else.</li>
 *   <li>An application that wants to own it (its own threads, its own lifecycle) creates one with {@link
 *       #create(AloAudioRuntimeConfig)}, makes clients with {@link #newClient(AloAudioConfig)}, and closes it.</li>
 *   <li>The CDI module creates one runtime per CDI deployment, on the server's Jakarta Concurrency threads when
 *       present, and closes it when the application stops.</li>
 * </ul>
 *
 * <h2>Closing</h2>
 * <p>{@link #close()} closes every client still open (each delivers its final
 * {@link ai.alo.audio.event.DisconnectEvent}), then ends every thread of the runtime, waiting a bounded time. A runtime
 * also ends when its last client is closed if it was created by {@link AloAudio#create(AloAudioConfig)}; an
 * application-owned runtime lives until it is closed. After {@code close()}, {@code newClient} throws.
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
public interface AloAudioRuntime extends AutoCloseable {

    /**
     * Creates a runtime owned by the caller, with the implementation found by {@link AloAudioProvider#provider()}.
     *
     * @param config the runtime's settings
     * @return the runtime; it holds no thread until its first client connects
     * @throws AloAudioException if no implementation is on the class path
     */
    static AloAudioRuntime create(AloAudioRuntimeConfig config) {
        return AloAudioProvider.provider().createRuntime(config);
    }

    /**
     * Creates a client on this runtime.
     *
     * @param config the client's configuration
     * @return a new client in state {@link ConnectionState#NOT_CONNECTED}; closed by its owner or with this runtime
     * @throws AloAudioStateException if the runtime is closed
     */
    AloAudio newClient(AloAudioConfig config);

    /**
     * The media devices this runtime's clients speak from and play into, shared by all of them.
     *
     * @return the devices; usable until the runtime is closed
     * @since 0.2
     */
    AudioDevices devices();

    /**
     * The clients of this runtime that are not closed.
     *
     * @return an immutable snapshot
     */
    List<AloAudio> clients();

    /**
     * This runtime's settings.
     *
     * @return the configuration
     */
    AloAudioRuntimeConfig config();

    /**
     * Whether {@link #close()} has been called, or the runtime ended with its last client.
     *
     * @return {@code true} when closed
     */
    boolean isClosed();

    /**
     * Closes every client of the runtime (as {@link AloAudio#close()} does), then ends the runtime's threads, waiting
     * up to a few seconds for them. Idempotent; never throws. When called from a thread of the runtime itself (a
     * listener), the threads end right after that listener returns.
     */
    @Override
    void close();
}

/**
 * CDI integration of the ALO audio client.
 *
 * <h2>Using it</h2>
 * <p>Put {@code ai.alo:alo-audio-cdi} (which brings the API and the default implementation) into the application.
 * Its {@link ai.alo.audio.cdi.AloAudioExtension} is found by the container and registers its beans itself, so it works
 * whatever the application's bean-discovery mode (the jar's own {@code beans.xml}, mode {@code annotated}, exists only
 * so that servers find the readiness check).
 * <ul>
 *   <li>{@code @Inject AloAudio audio;} the default client, {@code @ApplicationScoped}, named {@code "default"},
 *       configured from the keys below. A missing or invalid key fails the deployment when the application injects
 *       it. Nothing connects until the application calls {@code connect()}. The container closes it when the
 *       application stops (close code 1001, final {@code DisconnectEvent} delivered to the observers); the
 *       application should not {@code close()} it itself, since that is terminal for the whole application (use
 *       {@code disconnect()}).</li>
 *   <li>{@code @Inject AloAudioFactory factory;} for further clients (see {@link ai.alo.audio.cdi.AloAudioFactory}),
 *       each with its own name, and for the media devices of the application's runtime ({@code factory.devices()}:
 *       add the inputs and outputs the configured device ids name before connecting with media).</li>
 *   <li>{@code void on(@Observes DisconnectEvent e)} (any client) or {@code void on(@Observes @AloClient("support")
 *       DisconnectEvent e)} (one client); {@code @ObservesAsync} works too. See {@link ai.alo.audio.cdi.AloClient}.
 *   </li>
 * </ul>
 *
 * <h2>Configuration keys</h2>
 * <p>Read from MicroProfile Config when an implementation is present, otherwise from the system property of the same
 * name and then the environment variable named as MicroProfile Config names it ({@code alo.audio.server-uri} becomes
 * {@code ALO_AUDIO_SERVER_URI}). For a client named {@code <name>}, {@code alo.audio.client.<name>.<key>} overrides
 * {@code alo.audio.<key>}.
 * <table>
 *   <caption>Keys under {@code alo.audio.}</caption>
 *   <tr><th>Key</th><th>Meaning</th><th>Default</th></tr>
 *   <tr><td>{@code server-uri}</td><td>the audio service's {@code ws://} or {@code wss://} URI</td>
 *       <td>required</td></tr>
 *   <tr><td>{@code user.id}</td><td>the ALO Cloud user id the token was issued for</td><td>required</td></tr>
 *   <tr><td>{@code user.name}</td><td>display name</td><td>empty</td></tr>
 *   <tr><td>{@code user.device-id}</td><td>id of this installation</td><td>empty</td></tr>
 *   <tr><td>{@code user-auth-token}</td><td>the user auth token; never logged or shown in messages</td>
 *       <td>required</td></tr>
 *   <tr><td>{@code tts-enabled}</td><td>{@code true} or {@code false}</td><td>{@code false}</td></tr>
 *   <tr><td>{@code media-enabled}</td><td>{@code true}: WebRTC audio in the channel; {@code false}: signalling
 *       only</td><td>{@code true}</td></tr>
 *   <tr><td>{@code audio-input-device-id}</td><td>the source the client speaks from, an id of
 *       {@code getMediaList()}</td><td>{@code silence}</td></tr>
 *   <tr><td>{@code audio-output-device-id}</td><td>the sink the client plays into</td><td>{@code discard}</td></tr>
 *   <tr><td>{@code heartbeat-interval}</td><td>duration</td><td>{@code 1s}</td></tr>
 *   <tr><td>{@code heartbeat-timeout}</td><td>duration</td><td>{@code 1.8s}</td></tr>
 *   <tr><td>{@code connect-timeout}</td><td>duration</td><td>{@code 10s}</td></tr>
 *   <tr><td>{@code close-grace}</td><td>duration, the bound on {@code disconnect()}</td><td>{@code 250ms}</td></tr>
 *   <tr><td>{@code max-message-size}</td><td>bytes</td><td>{@code 65536}</td></tr>
 *   <tr><td>{@code reconnect.enabled}</td><td>{@code false}: a lost connection ends the session
 *       ({@code ReconnectPolicy.never()}); the other {@code reconnect.*} keys are then not read</td>
 *       <td>{@code true}</td></tr>
 *   <tr><td>{@code reconnect.immediate-attempts}</td><td>attempts made at once after a loss, whole number</td>
 *       <td>{@code 2}</td></tr>
 *   <tr><td>{@code reconnect.initial-delay}</td><td>duration, the first wait after them</td>
 *       <td>{@code 500ms}</td></tr>
 *   <tr><td>{@code reconnect.multiplier}</td><td>decimal, at least 1: growth of each wait</td><td>{@code 2}</td></tr>
 *   <tr><td>{@code reconnect.max-delay}</td><td>duration, the longest wait</td><td>{@code 15s}</td></tr>
 *   <tr><td>{@code reconnect.jitter}</td><td>decimal from 0 to 1: the random part of each wait</td>
 *       <td>{@code 0.5}</td></tr>
 *   <tr><td>{@code reconnect.budget}</td><td>duration: attempts may start until this long after the loss</td>
 *       <td>{@code 10m}</td></tr>
 *   <tr><td>{@code reconnect.max-attempts}</td><td>whole number, the most attempts per outage; {@code 0}: no limit
 *       besides the budget</td><td>{@code 0}</td></tr>
 *   <tr><td>{@code reconnect.policy}</td><td>the binary name of a class implementing {@link
 *       ai.alo.audio.spi.ReconnectPolicy} with a public no-argument constructor, loaded with the application's class
 *       loader; not together with the backoff keys above</td><td>none</td></tr>
 * </table>
 * <p>Durations carry a unit: {@code 250ms}, {@code 2.5s}, {@code 1m}, or ISO-8601 ({@code PT2.5S}). A bare number is
 * refused, naming the key and what to write. Which values are allowed is decided by {@link
 * ai.alo.audio.AloAudioConfig.Builder} (for the reconnect keys, by {@link ai.alo.audio.ReconnectBackoff}), the same
 * rules as in plain Java; errors name the key. Unset reconnect keys keep the values of {@code
 * ReconnectBackoff.defaults()}.
 *
 * <h2>Token provider and reconnect policy beans</h2>
 * <p>If the application declares a bean of type {@link ai.alo.audio.UserAuthTokenProvider} (or {@link
 * ai.alo.audio.spi.ReconnectPolicy}), the clients this module makes use it: the bean qualified {@code
 * @AloClient("<name>")} for that client, else the {@code @Default} one for every client. A bean wins over the keys
 * (with a provider bean, {@code user-auth-token} is not required; with a policy bean, the {@code reconnect.*} keys
 * are not read). Several beans that cannot be told apart fail with an {@link ai.alo.audio.AloAudioConfigException}
 * naming the type (at deployment for the injected default client). The beans are obtained when a client is created;
 * the client calls them later on the runtime's threads, so make them {@code @ApplicationScoped} (called through the
 * container's client proxy) or {@code @Dependent} (one instance per client, destroyed when the client is closed);
 * request- or session-scoped beans are not active there.
 *
 * <h2>Threads</h2>
 * <p>All clients of an application run on one {@link ai.alo.audio.AloAudioRuntime}, created with the first client and
 * closed when the application stops, after its clients; its threads (named {@code alo-audio-cdi-<n>-<role>-<k>}) come
 * from the server's Jakarta Concurrency {@code ManagedThreadFactory} when there is one, and their number does not grow
 * with the number of clients. Synchronous observers run on the runtime's event threads, one event of a client at a
 * time and in order; asynchronous observers on one bounded pool of the application (managed threads in a server). Never on the thread that called {@code connect()} or {@code disconnect()} and never under a client
 * lock; they may call back into the client. An observer that throws is logged and does not affect the client or the
 * other observers.
 *
 * <h2>Readiness</h2>
 * <p>With MicroProfile Health, the check {@code alo-audio} is {@code DOWN} while a client that the application asked
 * to connect (and did not disconnect) is not connected; its data names only each client's state and the reason of its
 * last disconnect. See {@link ai.alo.audio.cdi.ReadinessCheck}.
 *
 * <h2>Log messages</h2>
 * <p>Logger {@code ai.alo.audio.cdi} ({@link java.lang.System.Logger}); codes in the range {@code ALOAUD-3000} to
 * {@code ALOAUD-3999}, each used at one place: 3001 client created, 3002 closing clients at shutdown, 3003 a close at
 * shutdown failed, 3004 destroying a {@code @Dependent} token provider or reconnect policy bean failed, 3010 where the runtime's threads come from, 3011 metrics published through OpenTelemetry, 3012 they
 * could not be, 3101 an {@code @Observes} observer threw, 3102 an
 * {@code @ObservesAsync} observer failed, 3103 an async delivery was dropped, 3104 a client's async deliveries did not
 * finish at its close, 3105 an event could not be fired to {@code @Observes} observers, 3106 async observers did not
 * finish when the application stopped, 3107 an event could not be fired to {@code @ObservesAsync} observers.
 *
 * <p>Public: {@link ai.alo.audio.cdi.AloClient}, {@link ai.alo.audio.cdi.AloAudioFactory} and {@link
 * ai.alo.audio.cdi.AloAudioExtension}; every other type of this package is internal.
 *
 * @since 0.1
 */
package ai.alo.audio.cdi;

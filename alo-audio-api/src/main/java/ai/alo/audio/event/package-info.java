/**
 * The events of an {@link ai.alo.audio.AloAudio} client.
 *
 * <h2>Event types</h2>
 * <p>Every event is an immutable record implementing the sealed, non-generic root {@link
 * ai.alo.audio.event.AloAudioEvent}:
 * <ul>
 *   <li>{@link ai.alo.audio.event.ConnectionChangeEvent}: every change of the {@link ai.alo.audio.ConnectionState}
 *       (the ALO SDK's {@code onConnectionChange});</li>
 *   <li>{@link ai.alo.audio.event.DisconnectEvent}: exactly once at the end of every connection attempt, with
 *       {@code state} {@code DISCONNECTED} after {@code disconnect()} and {@code ERROR} otherwise (the ALO SDK's
 *       {@code onDisconnect});</li>
 *   <li>{@link ai.alo.audio.event.ParticipantsChangedEvent}: the channel's participant list, once on joining and
 *       again whenever someone joins or leaves (the ALO SDK's {@code onParticipantsChanged}).</li>
 * </ul>
 *
 * <h2>Delivery</h2>
 * <p>Each client has one ordered dispatcher. Events are delivered in the order of the state changes that caused
 * them, one at a time, on the dispatcher's thread: never on the thread that called {@code connect()} or {@code
 * disconnect()}, never while the client holds an internal lock. Listeners and CDI observers may therefore call back
 * into the client, including {@code disconnect()}, {@code connect()} and {@code close()}, from inside any event. A
 * listener that throws is logged and does not stop delivery to the other listeners.
 *
 * <h2>Qualifiers</h2>
 * <p>In CDI, the events of the default client and of clients made by the {@code AloAudioFactory} carry the qualifier
 * {@code @AloClient(name)} (module {@code alo-audio-cdi}); an observer without qualifiers receives the events of
 * every client. The {@link ai.alo.audio.event.AloAudioEvent#clientName()} tells them apart in plain Java.
 *
 * <h2>Compatibility</h2>
 * <p>Only the implementation constructs these records. New event types may be added in later versions, and new
 * components to the existing records: ignore types you do not know, and give a {@code switch} over {@link
 * ai.alo.audio.event.AloAudioEvent} a {@code default} branch (see its Javadoc).
 *
 * @since 0.1
 */
package ai.alo.audio.event;

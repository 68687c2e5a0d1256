package ai.alo.audio.server;

import java.util.Objects;

/**
 * A participant of a channel as the server sees it: returned by {@link AloAudioServer#participants(String)} and passed
 * to {@link ServerListener#onParticipantJoined} and {@link ServerListener#onParticipantLeft}. An immutable value owned
 * by this module (not a wire type), so the server's API does not change when the protocol's records do.
 *
 * @param connectionId the participant's connection id in the channel (the {@code connectionId} of its
 *                     {@code joined}); a new one on every join
 * @param userId       the user id (the token's {@code user.id})
 * @param name         the display name as the others see it: at most 64 characters, control characters replaced by
 *                     spaces
 * @param muted        whether the participant's microphone is muted (always {@code true} in protocol version 2)
 */
public record ChannelMember(String connectionId, String userId, String name, boolean muted) {

    /**
     * Checks the components.
     *
     * @param connectionId the connection id, not null
     * @param userId       the user id, not null
     * @param name         the display name, not null
     * @param muted        whether muted
     */
    public ChannelMember {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(name, "name");
    }
}

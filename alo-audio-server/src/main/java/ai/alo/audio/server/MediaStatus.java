package ai.alo.audio.server;

/**
 * Whether a server relays audio ({@link AloAudioServer#mediaStatus()}): the capability {@code media.webrtc} is listed
 * in {@code welcome} exactly when {@link #available()} is true. Immutable.
 *
 * @param enabled   the builder's {@link AloAudioServer.Builder#media(boolean)} setting
 * @param available whether the server is running with the media relay: media enabled and webrtc-java's native library
 *                  loaded (probed at {@link AloAudioServer#start()}); false before the start and after the stop
 * @param problem   why media is not available, as a readable sentence (for a missing native library it names what to
 *                  install), or empty when it is
 */
public record MediaStatus(boolean enabled, boolean available, String problem) {

    /** Checks the components; a null problem becomes empty. */
    public MediaStatus {
        problem = problem == null ? "" : problem;
    }
}

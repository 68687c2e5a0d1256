package ai.alo.audio.impl.rtc;

/**
 * Native WebRTC media cannot be used in this runtime: the platform is not supported, a system library is missing
 * ({@code libpulse.so.0}), webrtc-java or its native jar is not on the class path, or the native library failed to
 * load or to start its audio engine.
 *
 * <p>The message is {@link NativeMedia.Status#problem()} (or says why the engine could not start): it names what is
 * missing and how to install it. Signalling-only use does not need native media and is not affected.
 */
public class RtcUnavailableException extends RtcException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is missing and how to install it
     * @param cause   the underlying failure, may be {@code null}
     */
    public RtcUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

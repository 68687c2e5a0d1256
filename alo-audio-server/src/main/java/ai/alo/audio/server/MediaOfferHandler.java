package ai.alo.audio.server;

import ai.alo.audio.impl.rtc.RtcPeer;
import ai.alo.audio.impl.rtc.RtcUnavailableException;
import ai.alo.audio.protocol.ErrorMessage;
import ai.alo.audio.protocol.MediaAnswer;
import ai.alo.audio.protocol.MediaOffer;
import ai.alo.audio.protocol.MessageCodec;
import ai.alo.audio.protocol.MessageTypes;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code media.offer} (a request): answers the client's complete WebRTC offer with the server's complete answer
 * ({@code media.answer}, same request id) and puts the participant into its channel's relay ({@link MediaRelay}).
 *
 * <p>Refusals are {@code error} messages with the request's id; the session goes on, and a media session that is
 * already running stays:
 * <ul>
 *   <li>{@code not-joined}: the session has not joined that channel (or left it while the answer was made);</li>
 *   <li>{@code media.unavailable}: the server has no media relay ({@link AloAudioServer.Builder#media(boolean)}, the
 *       native library, the engine), or it is stopping;</li>
 *   <li>{@code media.refused}: the offer cannot be used: not a session description, no audio section, no Opus at
 *       48 kHz, or libwebrtc refused it (its reason, with secrets removed). The description is never echoed or
 *       logged.</li>
 * </ul>
 *
 * <p>A second offer replaces the media session once its answer is made: in one step the old session leaves the mixer
 * and the new one enters it, the old peer is closed, and the client gets {@code media.state closed} ("Replaced by a
 * new offer") right before the new {@code media.answer}. A refused offer leaves the old session running. The answer is made on the calling worker
 * thread, which waits for it (ICE gathering of host candidates: milliseconds; at most {@link #ANSWER_TIMEOUT_SECONDS}
 * s), so the session's later requests are answered after it, in order.
 *
 * <p>Packet time: when the offer does not name one, {@code a=ptime:10} is added to it before libwebrtc reads it, so
 * the relay sends 10 ms packets (browsers' offers carry none and would get 20 ms); the answer asks the client for 10 ms
 * packets too ({@link MediaRelay#PACKET_TIME_MILLIS}).
 */
final class MediaOfferHandler implements MessageHandler<MediaOffer> {

    private static final System.Logger LOG = System.getLogger(AloAudioServer.class.getPackageName());
    private static final String REF = MessageTypes.nameOf(MediaOffer.class);
    /** How long the worker waits for libwebrtc's answer (its gathering bound is 10 s). */
    static final long ANSWER_TIMEOUT_SECONDS = 15;

    static final String NOT_JOINED = "not-joined";
    static final String UNAVAILABLE = "media.unavailable";
    static final String REFUSED = "media.refused";

    private final StateLock lock;
    private final MediaSessions media;
    private final MessageCodec codec;

    MediaOfferHandler(StateLock lock, MediaSessions media, MessageCodec codec) {
        this.lock = lock;
        this.media = media;
        this.codec = codec;
    }

    @Override
    public Class<MediaOffer> type() {
        return MediaOffer.class;
    }

    @Override
    public void handle(ClientSession session, MediaOffer offer) {
        String channelId = offer.channelId();
        String participantId = lock.read(() -> session.closed || session.closeQueued() || session.member == null
                || !session.member.channelId().equals(channelId) ? null
                : session.member.participant().connectionId());
        if (participantId == null) {
            refuse(session, offer, NOT_JOINED, "Not in channel " + Reasons.printable(channelId)
                    + ": join it before offering media");
            return;
        }
        MediaRelay relay = media.relay();
        if (!relay.available()) {
            refuse(session, offer, UNAVAILABLE, "This server does not relay audio: " + relay.status().problem());
            return;
        }
        String problem = problemOf(offer.sdp());
        if (problem != null) {
            refuse(session, offer, REFUSED, problem);
            return;
        }
        MediaSession created = new MediaSession(session, channelId, participantId, media::stateChanged);
        RtcPeer peer;
        try {
            peer = relay.newPeer(created);
        } catch (RtcUnavailableException e) {
            refuse(session, offer, UNAVAILABLE, "This server does not relay audio: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            refuse(session, offer, UNAVAILABLE, "This server cannot relay audio now: " + e.getMessage());
            return;
        }
        created.peer(peer);
        long t0 = System.nanoTime();
        String answer;
        try {
            answer = peer.acceptOffer(withPacketTime(offer.sdp(), MediaRelay.PACKET_TIME_MILLIS))
                    .get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            peer.close();
            refuse(session, offer, REFUSED, "The offer cannot be used: " + messageOf(e.getCause()));
            return;
        } catch (TimeoutException e) {
            peer.close();
            refuse(session, offer, REFUSED, "No answer could be made within " + ANSWER_TIMEOUT_SECONDS + " s");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            peer.close();
            refuse(session, offer, UNAVAILABLE, "The server is stopping");
            return;
        }
        long answerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        lock.run(fx -> {
            boolean stillJoined = !session.closed && !session.closeQueued() && session.member != null
                    && session.member.channelId().equals(channelId)
                    && session.member.participant().connectionId().equals(participantId);
            if (!stillJoined) {
                fx.release(peer::close);
                fx.send(session, codec.encode(new ErrorMessage(offer.requestId(), NOT_JOINED,
                        "Left channel " + Reasons.printable(channelId) + " before the answer", REF)));
                return;
            }
            // a second offer replaces the session: the old one leaves the mixer and its peer is closed (before the
            // messages go out), the client is told closed, then gets the new answer
            media.end(session, fx, "Replaced by a new offer");
            try {
                created.participant(relay.attach(channelId, participantId, peer));
            } catch (RuntimeException e) {
                fx.release(peer::close);
                fx.send(session, codec.encode(new ErrorMessage(offer.requestId(), UNAVAILABLE,
                        "This server cannot relay audio now: " + e.getMessage(), REF)));
                return;
            }
            session.media = created;
            fx.send(session, codec.encode(new MediaAnswer(offer.requestId(), channelId, answer)));
            fx.after(() -> LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + " offered media in "
                    + channelId + "; answered in " + answerMillis + " ms"));
        });
    }

    private void refuse(ClientSession session, MediaOffer offer, String code, String message) {
        lock.run(fx -> {
            if (!session.closed && !session.closeQueued()) {
                fx.send(session, codec.encode(new ErrorMessage(offer.requestId(), code, message, REF)));
            }
        });
        LOG.log(Level.DEBUG, () -> "Session " + session.sessionId + ": media.offer refused, " + code + ": " + message);
    }

    private static String messageOf(Throwable error) {
        String text = error == null ? null : error.getMessage();
        return text == null || text.isBlank() ? String.valueOf(error) : text;
    }

    /**
     * What makes an offer unusable before libwebrtc sees it, or null: not a session description, no audio section,
     * no Opus at 48 kHz in it. Never quotes the description.
     */
    static String problemOf(String sdp) {
        String[] lines = sdp.split("\r?\n");
        if (lines.length == 0 || !lines[0].strip().equals("v=0")) {
            return "The offer is not a session description (it does not start with v=0)";
        }
        boolean audioSection = false;
        boolean inAudio = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("m=")) {
                inAudio = line.startsWith("m=audio ");
                audioSection |= inAudio;
            } else if (inAudio && line.toLowerCase(Locale.ROOT).matches("a=rtpmap:\\d+ opus/48000(/\\d+)?")) {
                return null;
            }
        }
        return audioSection ? "The offer's audio section does not offer Opus at 48 kHz"
                : "The offer has no audio section (m=audio)";
    }

    /**
     * The offer with {@code a=ptime:<millis>} in each audio section that names no packet time: libwebrtc then sends
     * packets of that length to this client. Line ends as in the input.
     */
    static String withPacketTime(String sdp, int millis) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = sdp.split("\r?\n");
        StringBuilder out = new StringBuilder(sdp.length() + 32);
        boolean inAudio = false;
        boolean hasPtime = false;
        for (String line : lines) {
            if (line.startsWith("m=")) {
                if (inAudio && !hasPtime) {
                    out.append("a=ptime:").append(millis).append(eol);
                }
                inAudio = line.startsWith("m=audio ");
                hasPtime = false;
            } else if (inAudio && line.startsWith("a=ptime:")) {
                hasPtime = true;
            }
            if (!line.isEmpty()) {
                out.append(line).append(eol);
            }
        }
        if (inAudio && !hasPtime) {
            out.append("a=ptime:").append(millis).append(eol);
        }
        return out.toString();
    }
}

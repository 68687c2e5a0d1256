package ai.alo.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.alo.audio.event.DisconnectEvent;
import ai.alo.audio.event.ParticipantsChangedEvent;
import ai.alo.audio.spi.AloAudioProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiValuesTest {

    private static final AudioChannel CHANNEL = AudioChannel.pushToTalk("c1", "Dispatch");
    private static final AudioUser USER = AudioUser.of("u1", "Ann");

    @Test
    void disconnectEvent_withConnectingState_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DisconnectEvent("default", ConnectionState.CONNECTED,
                "", DisconnectReason.CLIENT_INITIATED, Initiator.CLIENT, 1000, CHANNEL, USER, null, true, false,
                null, Instant.now()));
    }

    @Test
    void disconnectEvent_nullMessage_becomesEmpty() {
        DisconnectEvent e = new DisconnectEvent("default", ConnectionState.DISCONNECTED, null,
                DisconnectReason.CLIENT_INITIATED, Initiator.CLIENT, 1000, CHANNEL, USER, "s", true, false, null,
                Instant.now());
        assertEquals("", e.message());
        assertTrue(e.isIntentional());
    }

    @Test
    void reasons_lostConnection_useTheSdkMessage() {
        assertEquals("Lost connection to the server", DisconnectReason.CONNECTION_LOST.defaultMessage());
        assertEquals(DisconnectEvent.LOST_CONNECTION_MESSAGE, DisconnectReason.HEARTBEAT_TIMEOUT.defaultMessage());
        for (DisconnectReason reason : DisconnectReason.values()) {
            assertEquals(reason.isIntentional(), reason.defaultMessage().isEmpty(), reason.name());
            assertEquals(reason.isIntentional() ? ConnectionState.DISCONNECTED : ConnectionState.ERROR,
                    reason.resultingState());
        }
    }

    @Test
    void participantsChangedEvent_copiesDeltasAndReadsTheRoster() {
        List<Participant> list = new ArrayList<>(List.of(new Participant("p1", "u1", "Ann", true)));
        List<Participant> snapshot = List.copyOf(list);
        ParticipantRoster roster = new ParticipantRoster() {
            @Override
            public int size() {
                return snapshot.size();
            }

            @Override
            public List<Participant> list() {
                return snapshot;
            }
        };
        ParticipantsChangedEvent e = new ParticipantsChangedEvent("default", CHANNEL, "p1", list, List.of(), roster,
                Instant.now());
        list.clear();
        assertEquals(1, e.joined().size());
        assertThrows(UnsupportedOperationException.class, () -> e.joined().clear());
        assertEquals(snapshot, e.participants());
        assertTrue(e.isInitial());
    }

    @Test
    void audioChannel_tooLongId_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> AudioChannel.pushToTalk("x".repeat(129), ""));
        assertThrows(IllegalArgumentException.class, () -> AudioChannel.pushToTalk(" ", ""));
    }

    @Test
    void provider_withoutImplementation_namesTheArtifact() {
        AloAudioException e = assertThrows(AloAudioException.class,
                () -> AloAudioProvider.provider(new ClassLoader(null) { }));
        assertTrue(e.getMessage().contains("ai.alo:alo-audio-impl"), e.getMessage());
    }

    @Test
    void connectionState_isActive_onlyWhileConnecting() {
        assertTrue(ConnectionState.CONNECTING.isActive());
        assertTrue(ConnectionState.CONNECTED.isActive());
        assertFalse(ConnectionState.DISCONNECTING.isActive());
        assertFalse(ConnectionState.ERROR.isActive());
    }
}

package ai.alo.audio.protocol;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

/**
 * A signalling message. The JSON form is an object whose {@code "type"} member names the message; see
 * {@code docs/protocol.md} for each one. Serialize with the runtime type ({@link MessageCodec#encode(Message)}).
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = Hello.TYPE, type = Hello.class),
        @JsonbSubtype(alias = Welcome.TYPE, type = Welcome.class),
        @JsonbSubtype(alias = Join.TYPE, type = Join.class),
        @JsonbSubtype(alias = Joined.TYPE, type = Joined.class),
        @JsonbSubtype(alias = Leave.TYPE, type = Leave.class),
        @JsonbSubtype(alias = Left.TYPE, type = Left.class),
        @JsonbSubtype(alias = ParticipantJoined.TYPE, type = ParticipantJoined.class),
        @JsonbSubtype(alias = ParticipantLeft.TYPE, type = ParticipantLeft.class),
        @JsonbSubtype(alias = Ping.TYPE, type = Ping.class),
        @JsonbSubtype(alias = Pong.TYPE, type = Pong.class),
        @JsonbSubtype(alias = End.TYPE, type = End.class),
        @JsonbSubtype(alias = ErrorMessage.TYPE, type = ErrorMessage.class)
})
public sealed interface Message
        permits Hello, Welcome, Join, Joined, Leave, Left, ParticipantJoined, ParticipantLeft, Ping, Pong, End,
        ErrorMessage {
}

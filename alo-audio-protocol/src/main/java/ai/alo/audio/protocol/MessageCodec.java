package ai.alo.audio.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes and decodes signalling messages. Thread-safe; create one per connection owner and {@link #close()} it.
 *
 * <p>Decoding distinguishes three outcomes: a known message, an unknown {@code type} (to be ignored with a log line,
 * for forward compatibility), and a protocol violation ({@link ProtocolException}: malformed JSON, no {@code type},
 * a known type of the wrong shape, or a message over the size limit).
 */
public final class MessageCodec implements AutoCloseable {

    private static final int MAX_DETAIL = 160;

    private static final Map<String, Class<? extends Message>> TYPES = Map.ofEntries(
            Map.entry(Hello.TYPE, Hello.class),
            Map.entry(Welcome.TYPE, Welcome.class),
            Map.entry(Join.TYPE, Join.class),
            Map.entry(Joined.TYPE, Joined.class),
            Map.entry(Leave.TYPE, Leave.class),
            Map.entry(Left.TYPE, Left.class),
            Map.entry(ParticipantJoined.TYPE, ParticipantJoined.class),
            Map.entry(ParticipantLeft.TYPE, ParticipantLeft.class),
            Map.entry(Ping.TYPE, Ping.class),
            Map.entry(Pong.TYPE, Pong.class),
            Map.entry(End.TYPE, End.class),
            Map.entry(ErrorMessage.TYPE, ErrorMessage.class));

    private final Jsonb jsonb;
    private final JsonProvider json;
    private final int maxMessageSize;

    /**
     * Creates a codec.
     *
     * @param maxMessageSize the largest message, in characters, that {@link #decode(String)} accepts
     */
    public MessageCodec(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
        this.json = JsonProvider.provider();
        this.jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(false));
    }

    /**
     * The result of decoding: either a known {@link #message()} or the name of an unknown {@link #type()}.
     *
     * @param type    the message's {@code type}
     * @param message the decoded message, or null when the type is unknown
     */
    public record Decoded(String type, Message message) {

        /**
         * Whether the type was unknown and the message should be ignored.
         *
         * @return {@code true} when {@link #message()} is null
         */
        public boolean isUnknown() {
            return message == null;
        }
    }

    /**
     * Encodes a message as JSON text with its {@code type} member.
     *
     * @param message the message
     * @return the JSON text
     */
    public String encode(Message message) {
        Objects.requireNonNull(message, "message");
        return jsonb.toJson(message);
    }

    /**
     * Decodes JSON text.
     *
     * @param text the received text
     * @return the decoded message, or the unknown type
     * @throws ProtocolException if the text breaks the protocol; its message never contains the raw text
     */
    public Decoded decode(String text) throws ProtocolException {
        if (text.length() > maxMessageSize) {
            throw new ProtocolException("message of " + text.length() + " characters exceeds the limit of "
                    + maxMessageSize, CloseCodes.TOO_BIG, null);
        }
        JsonObject object;
        try (JsonReader reader = json.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new ProtocolException("message is not a JSON object but " + value.getValueType(),
                        CloseCodes.PROTOCOL_ERROR, null);
            }
            object = value.asJsonObject();
        } catch (JsonException e) {
            throw new ProtocolException("malformed JSON: " + detail(e), CloseCodes.PROTOCOL_ERROR, e);
        }
        JsonValue typeValue = object.get("type");
        if (!(typeValue instanceof JsonString)) {
            throw new ProtocolException("message has no string 'type' member", CloseCodes.PROTOCOL_ERROR, null);
        }
        String type = ((JsonString) typeValue).getString();
        Class<? extends Message> messageClass = TYPES.get(type);
        if (messageClass == null) {
            return new Decoded(printable(type), null);
        }
        try {
            return new Decoded(type, jsonb.fromJson(text, messageClass));
        } catch (JsonbException | IllegalArgumentException e) {
            throw new ProtocolException("'" + type + "' message is invalid: " + detail(e),
                    CloseCodes.PROTOCOL_ERROR, e);
        }
    }

    /** Closes the JSON-B instance. */
    @Override
    public void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            // Yasson's close() releases caches only; nothing to report.
        }
    }

    private static String detail(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        if (root != e && e.getMessage() != null && !(root instanceof IllegalArgumentException)) {
            text = e.getMessage();
        }
        return printable(text);
    }

    /** Removes control characters and bounds the length of text that came from the peer. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_DETAIL));
        for (int i = 0; i < text.length() && out.length() < MAX_DETAIL; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > MAX_DETAIL) {
            out.append("...");
        }
        return out.toString();
    }
}

package ai.alo.audio.protocol;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The message types one side of the protocol understands: wire type name to record class. A receiver builds it from
 * the handlers it has, so a type it has no handler for decodes as unknown (and is ignored, for forward compatibility).
 * Immutable and thread-safe.
 */
public final class MessageTypes {

    private final Map<String, Class<? extends Message>> byName;

    private MessageTypes(Map<String, Class<? extends Message>> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * The registry of the given record classes.
     *
     * @param types message records, each annotated with {@link MessageType}
     * @return the registry
     * @throws IllegalArgumentException if a class lacks the annotation or two classes share a name
     */
    public static MessageTypes of(Collection<Class<? extends Message>> types) {
        Map<String, Class<? extends Message>> byName = new HashMap<>();
        for (Class<? extends Message> type : types) {
            Class<? extends Message> previous = byName.put(nameOf(type), type);
            if (previous != null && previous != type) {
                throw new IllegalArgumentException("message type '" + nameOf(type) + "' is claimed by both "
                        + previous.getName() + " and " + type.getName());
            }
        }
        return new MessageTypes(byName);
    }

    /**
     * The registry of the given record classes.
     *
     * @param types message records, each annotated with {@link MessageType}
     * @return the registry
     */
    @SafeVarargs
    public static MessageTypes of(Class<? extends Message>... types) {
        return of(List.of(types));
    }

    /**
     * The wire name of a message record.
     *
     * @param type the record class
     * @return the value of its {@link MessageType} annotation
     * @throws IllegalArgumentException if the class is not annotated
     */
    public static String nameOf(Class<? extends Message> type) {
        MessageType annotation = Objects.requireNonNull(type, "type").getAnnotation(MessageType.class);
        if (annotation == null) {
            throw new IllegalArgumentException(type.getName() + " is not annotated with @MessageType");
        }
        return annotation.value();
    }

    /**
     * The record a wire type decodes into.
     *
     * @param name the wire type
     * @return the record class, or null when this side does not know the type
     */
    public Class<? extends Message> classOf(String name) {
        return byName.get(name);
    }

    /**
     * The wire names known.
     *
     * @return an immutable set
     */
    public Set<String> names() {
        return byName.keySet();
    }
}

package ai.alo.audio.event;

import ai.alo.audio.media.MediaDevice;
import ai.alo.audio.media.MediaDeviceKind;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The media devices of a client's runtime changed; the Java form of the ALO SDK's {@code onDeviceListUpdate}, whose
 * payload is {@code { type: "audioinput", devices: { <id>: { id, label, type } } }}. One event per kind that changed,
 * to every open client of the runtime.
 *
 * @param clientName the client's name
 * @param kind       the kind of device that changed
 * @param devices    the devices of that kind now, by id, in list order; immutable
 * @param timestamp  when the change was noticed
 * @since 0.2
 */
public record DeviceListUpdateEvent(String clientName, MediaDeviceKind kind, Map<String, MediaDevice> devices,
                                    Instant timestamp) implements AloAudioEvent {

    /**
     * Validates the components and copies the map, keeping its order.
     *
     * @throws NullPointerException if a component is null
     */
    public DeviceListUpdateEvent {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(kind, "kind");
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(devices, "devices")));
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /**
     * The SDK's {@code type}: {@code "audioinput"} or {@code "audiooutput"}.
     *
     * @return the type
     */
    public String type() {
        return kind.wireName();
    }
}

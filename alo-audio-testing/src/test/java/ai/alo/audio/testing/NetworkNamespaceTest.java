package ai.alo.audio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runs outside the namespace (ordinary test execution) and inside it (when a script runs it there). */
class NetworkNamespaceTest {

    @Test
    void isInside_requiresAMediaAddress_andNoOtherNetwork() {
        Optional<InetAddress> media = NetworkNamespace.mediaAddress();
        String interfaces = NetworkNamespace.describe();
        if (media.isEmpty()) {
            assertFalse(NetworkNamespace.isInside(), interfaces);
        } else {
            assertTrue(media.get().getHostAddress().startsWith(NetworkNamespace.MEDIA_PREFIX));
            boolean otherNetwork = interfaces.lines().anyMatch(line -> !line.startsWith("lo:")
                    && java.util.Arrays.stream(line.substring(line.indexOf(':') + 1).split(","))
                    .map(String::strip).anyMatch(a -> !a.isEmpty() && !a.startsWith(NetworkNamespace.MEDIA_PREFIX)
                            && !a.startsWith("fe80")));
            assertEquals(!otherNetwork, NetworkNamespace.isInside(), interfaces);
        }
        assertTrue(interfaces.contains("lo:"), interfaces);
    }
}

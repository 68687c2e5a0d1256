package ai.alo.audio.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The network namespace the media tests run in. WebRTC ignores loopback, and test traffic may go only to loopback or
 * to addresses inside a namespace the project's scripts create, so every test that carries media runs inside
 * {@code bin/netns-exec} (the surefire execution {@code media-tests} does this for test classes named
 * {@code *MediaTest}): a namespace with a veth pair {@value #MEDIA_PREFIX}1 and {@value #MEDIA_PREFIX}2 and nothing
 * else. Stateless; reads the interfaces on every call.
 */
public final class NetworkNamespace {

    /** The first three octets of the namespace's addresses (10.77.0.0/24). */
    public static final String MEDIA_PREFIX = "10.77.0.";

    private NetworkNamespace() {
    }

    /**
     * Whether this JVM runs inside the media namespace: it has an address in 10.77.0.0/24, and every address of every
     * interface that is up is a loopback address, an IPv6 link-local address, or in 10.77.0.0/24. So media cannot
     * reach any other network from here.
     *
     * @return {@code true} inside the namespace
     */
    public static boolean isInside() {
        List<InetAddress> addresses = upAddresses();
        boolean media = false;
        for (InetAddress address : addresses) {
            if (isMedia(address)) {
                media = true;
            } else if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                return false;
            }
        }
        return media;
    }

    /**
     * The namespace's first media address (normally 10.77.0.1), if this JVM sees one.
     *
     * @return the address, or empty outside the namespace
     */
    public static Optional<InetAddress> mediaAddress() {
        return upAddresses().stream().filter(NetworkNamespace::isMedia)
                .min((a, b) -> Integer.compare(a.getAddress()[3] & 0xff, b.getAddress()[3] & 0xff));
    }

    /**
     * Every interface that is up and its addresses, for messages such as "media tests must run in the namespace".
     *
     * @return one line per interface, such as {@code "v0: 10.77.0.1, fe80:0:0:0:..."}
     */
    public static String describe() {
        List<String> lines = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    List<String> names = new ArrayList<>();
                    Collections.list(nic.getInetAddresses()).forEach(a -> names.add(a.getHostAddress()));
                    lines.add(nic.getName() + ": " + String.join(", ", names));
                }
            }
        } catch (SocketException e) {
            lines.add("cannot list interfaces: " + e.getMessage());
        }
        return String.join("\n", lines);
    }

    private static boolean isMedia(InetAddress address) {
        return address instanceof Inet4Address && address.getHostAddress().startsWith(MEDIA_PREFIX);
    }

    private static List<InetAddress> upAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    addresses.addAll(Collections.list(nic.getInetAddresses()));
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return addresses;
    }
}

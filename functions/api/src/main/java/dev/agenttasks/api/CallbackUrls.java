package dev.agenttasks.api;

import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which {@code callback_url}s the service will POST to. In AWS: https only, and never a loopback, private,
 * link-local (the instance metadata service among them), multicast or unspecified address, whether given as a
 * literal or as a name that resolves to one (checked again before each delivery, since DNS can change). On the
 * local stack: http or https, loopback allowed.
 */
public final class CallbackUrls {

    public static final int MAX_LENGTH = 2_048;

    private final boolean inAws;
    private final Resolver resolver;

    /** Resolves a host name to its addresses (the JDK's resolver, or a test's). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public CallbackUrls(boolean inAws, Resolver resolver) {
        this.inAws = inAws;
        this.resolver = resolver;
    }

    public static CallbackUrls forAws() {
        return new CallbackUrls(true, InetAddress::getAllByName);
    }

    public static CallbackUrls forLocalStack() {
        return new CallbackUrls(false, InetAddress::getAllByName);
    }

    /** What is wrong with {@code url} as a callback, or empty when the service may POST to it. */
    public Optional<String> problemWith(String url) {
        return check(url, true);
    }

    /**
     * As {@link #problemWith} before a delivery, except that a name that does not resolve now is no problem: the
     * delivery fails with {@code unknown_host} and is retried, since DNS can fail for a while.
     */
    public Optional<String> deliveryProblemWith(String url) {
        return check(url, false);
    }

    private Optional<String> check(String url, boolean unresolvableIsAProblem) {
        if (url.isBlank() || url.length() > MAX_LENGTH) {
            return Optional.of("must be an absolute URL of at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return Optional.of("must be an absolute http(s) URL with a host, no user info and no fragment");
        }
        if (inAws && !scheme.equals("https")) {
            return Optional.of("must use https");
        }
        if (!inAws && !scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("must use http or https");
        }
        if (!inAws) {
            return Optional.empty();
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(IDN.toASCII(host));
        } catch (UnknownHostException e) {
            return unresolvableIsAProblem ? Optional.of("names a host that does not resolve") : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("names a host that does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                return Optional.of("must not point at a loopback, private, link-local or metadata address");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code address} is one the service may reach on a caller's behalf. */
    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0 || first >= 240                     // this network, reserved
                    || (first == 100 && second >= 64 && second < 128)  // carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19)));  // benchmarking
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            boolean uniqueLocal = (first & 0xfe) == 0xfc;             // fc00::/7
            // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) carry an IPv4 address that may be private.
            boolean nat64 = first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            boolean sixToFour = first == 0x20 && (b[1] & 0xff) == 0x02;
            if (nat64 || sixToFour) {
                return false;
            }
            boolean mappedV4 = b[10] == (byte) 0xff && b[11] == (byte) 0xff && allZero(b, 0, 10);
            if (mappedV4) {
                try {
                    return isPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return !uniqueLocal;
        }
        return false;
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}

package io.audiences.server.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * Keeps webhook deliveries off the server's own network (SSRF): a URL whose host is, or resolves to, a loopback,
 * unspecified, link-local (cloud metadata at 169.254.169.254 included), private, shared (100.64.0.0/10),
 * unique-local or multicast address is refused, every resolved address checked, unless the operator allows private
 * targets ({@code AUDIENCES_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true}, for receivers on the same network or tests).
 * Checked at registration and again before every attempt, as DNS answers change.
 */
public final class TargetGuard {

    private final boolean allowPrivate;

    public TargetGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Why a delivery to {@code url} may not go out: an exception carrying the reason, or the URL's host. */
    static final class Forbidden extends Exception {
        Forbidden(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses a registration URL: http(s), a host, no user info. */
    static URI parse(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                throw new URISyntaxException(url, "not an http(s) URL with a host and without user info");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw DomainException.invalid(ErrorCode.VALIDATION_FAILED, "/url", "url must be an http or https URL with a host.");
        }
    }

    /**
     * Refuses a registration whose host is a forbidden address or resolves to one. A host that does not resolve now
     * is accepted: whether it may be called is decided again at every delivery.
     */
    void checkRegistration(URI url) {
        try {
            vet(url);
        } catch (Forbidden e) {
            throw new DomainException(DomainException.Kind.INVALID, ErrorCode.WEBHOOK_TARGET_FORBIDDEN, "The webhook URL " + e.getMessage()
                    + ": deliveries only go to public addresses.",
                    List.of(new DomainException.FieldError("/url", e.getMessage())), Map.of());
        } catch (UnknownHostException e) {
            // decided at delivery time
        }
    }

    /**
     * Resolves the URL's host and checks every address.
     *
     * @return the addresses, all allowed
     * @throws Forbidden when any of them is not
     */
    List<InetAddress> vet(URI url) throws Forbidden, UnknownHostException {
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        List<InetAddress> addresses = List.of(InetAddress.getAllByName(host));
        if (allowPrivate) {
            return addresses;
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = forbiddenKind(address);
            if (kind.isPresent()) {
                throw new Forbidden("reaches " + address.getHostAddress() + ", " + kind.get());
            }
        }
        return addresses;
    }

    /** What kind of non-public address this is, if it is one. */
    static Optional<String> forbiddenKind(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (a.isAnyLocalAddress()) {
            return Optional.of("the unspecified address");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("a private address");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first >= 240) {
                return Optional.of("a reserved address");
            }
            if (first == 100 && second >= 64 && second < 128) {
                return Optional.of("a shared (carrier-grade NAT) address");
            }
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return Optional.of("a unique-local address");
            }
            // IPv4-compatible, NAT64 and 6to4 forms carry an IPv4 address that could be private: refused outright.
            if (isEmbeddingIpv4(b)) {
                return Optional.of("an IPv6 address embedding an IPv4 address");
            }
        }
        return Optional.empty();
    }

    private static boolean isEmbeddingIpv4(byte[] b) {
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= b[i] == 0;
        }
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        boolean sixToFour = (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02;
        return compatible || nat64 || sixToFour;
    }
}

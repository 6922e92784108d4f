package io.audiences.server.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.audiences.server.platform.Ids;
import io.audiences.server.platform.Sealing;

/**
 * Standard Webhooks signing (standardwebhooks.com): the secret is {@code whsec_} + base64 of 32 random bytes, and a
 * delivery's {@code webhook-signature} is {@code v1,} + base64 HMAC-SHA256, keyed with those bytes, of
 * {@code {webhook-id}.{webhook-timestamp}.{body}}.
 */
public final class Signature {

    static final String SECRET_PREFIX = "whsec_";

    private Signature() {
    }

    /** A new signing secret, in the form shown to the endpoint's owner. */
    static String newSecret() {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(Ids.bytes(32));
    }

    /** The {@code webhook-signature} header value. */
    public static String sign(String secret, String id, long timestampSeconds, String body) {
        byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        byte[] mac = Sealing.hmac(key, (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac);
    }
}

package io.audiences.server.platform;

import java.util.regex.Pattern;

/**
 * The one rule for an email address, wherever one enters (the contract's {@code format: email} on every body, the
 * {@code bootstrap} command, user creation): a dot-atom local part and a domain of at least two labels. The domain
 * is not checked against the public list of top-level domains, so reserved and internal domains ({@code .example},
 * {@code .internal}, {@code .test}, {@code .local}) are accepted everywhere: a self-hosted deployment often uses
 * one, and the README's own {@code admin@acme.example} must be an admin who can log in.
 */
public final class EmailAddress {

    /** RFC 5321's limits: 64 characters before the {@code @}, 254 in all. */
    private static final int MAX_LOCAL = 64;
    private static final int MAX_LENGTH = 254;
    private static final Pattern LOCAL = Pattern.compile("[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "([\\p{L}\\p{N}]([\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+[\\p{L}\\p{N}]([\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?");

    private EmailAddress() {
    }

    public static boolean isValid(String email) {
        if (email == null || email.length() > MAX_LENGTH) {
            return false;
        }
        int at = email.lastIndexOf('@');
        if (at < 1 || at > MAX_LOCAL || at == email.length() - 1) {
            return false;
        }
        return LOCAL.matcher(email.substring(0, at)).matches() && DOMAIN.matcher(email.substring(at + 1)).matches();
    }
}

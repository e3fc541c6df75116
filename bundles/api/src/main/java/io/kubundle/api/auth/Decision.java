package io.kubundle.api.auth;

/** An authorizer's answer. */
public enum Decision {
    /** The request may proceed; later authorizers are not asked. */
    ALLOW,
    /** The request is refused with {@code 403 Forbidden}; later authorizers are not asked. */
    DENY,
    /** This authorizer has no rule for the request; the next one is asked. */
    NO_OPINION
}

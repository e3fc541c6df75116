package io.kubundle.apiserver.internal;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.osgi.framework.ServiceReference;

import io.kubundle.api.auth.AuthenticationException;
import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

/**
 * The authentication and authorization chains, made of whatever authenticator and authorizer
 * plugins are present, in {@code service.ranking} order. Like Kubernetes: the first authenticator
 * that recognises the credentials decides who it is; the first authorizer with an opinion decides
 * whether it may, and no opinion at all is a denial.
 */
final class AccessControl {
    private final Map<ServiceReference<Authenticator>, Authenticator> authenticators =
            new ConcurrentSkipListMap<>(Collections.reverseOrder());
    private final Map<ServiceReference<Authorizer>, Authorizer> authorizers =
            new ConcurrentSkipListMap<>(Collections.reverseOrder());

    void addAuthenticator(ServiceReference<Authenticator> reference, Authenticator authenticator) {
        authenticators.put(reference, authenticator);
    }

    void removeAuthenticator(ServiceReference<Authenticator> reference) {
        authenticators.remove(reference);
    }

    void addAuthorizer(ServiceReference<Authorizer> reference, Authorizer authorizer) {
        authorizers.put(reference, authorizer);
    }

    void removeAuthorizer(ServiceReference<Authorizer> reference) {
        authorizers.remove(reference);
    }

    /** Who sent the request, or empty when nobody recognises the credentials (the caller answers 401). */
    Optional<UserInfo> authenticate(Credentials credentials) {
        for (Authenticator authenticator : List.copyOf(authenticators.values())) {
            try {
                Optional<UserInfo> user = authenticator.authenticate(credentials);
                if (user.isPresent()) {
                    return user;
                }
            } catch (AuthenticationException e) {
                return Optional.empty();
            } catch (RuntimeException e) {
                // a broken authenticator must not let anyone in, nor stop the others
            }
        }
        return Optional.empty();
    }

    /** Throws 403 unless an authorizer allows the request. */
    void authorize(AuthorizationAttributes attributes) throws ApiException {
        for (Authorizer authorizer : List.copyOf(authorizers.values())) {
            Decision decision;
            try {
                decision = authorizer.authorize(attributes);
            } catch (RuntimeException e) {
                decision = Decision.NO_OPINION;
            }
            if (decision == Decision.ALLOW) {
                return;
            }
            if (decision == Decision.DENY) {
                break;
            }
        }
        throw forbidden(attributes);
    }

    private static ApiException forbidden(AuthorizationAttributes a) {
        String user = "User \"" + a.user().name() + "\"";
        if (!a.resourceRequest()) {
            return new ApiException(403, "Forbidden", "forbidden: " + user + " cannot " + a.verb().toLowerCase() + " path \"" + a.path() + "\"");
        }
        String resource = a.resource() + (a.apiGroup().isEmpty() ? "" : "." + a.apiGroup());
        return new ApiException(403, "Forbidden", resource + (a.name().isEmpty() ? "" : " \"" + a.name() + "\"") + " is forbidden: "
                + user + " cannot " + a.verb() + " resource \"" + a.resource() + "\" in API group \"" + a.apiGroup() + "\""
                + (a.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\""));
    }
}

package io.kubundle.api.auth;

import java.util.Objects;

/**
 * What a request asks to do, as Kubernetes' {@code authorizer.Attributes}. Fields that do not
 * apply are empty strings, never {@code null}.
 *
 * @param user who asks
 * @param verb for a resource request the API verb ({@code get}, {@code list}, {@code watch},
 *        {@code create}, {@code update}, {@code patch}, {@code delete}, {@code deletecollection});
 *        otherwise the lower-case HTTP method ({@code get}, {@code post}, ...)
 * @param apiGroup the API group, empty for the core group
 * @param apiVersion the API version, such as {@code v1}
 * @param resource the resource type, such as {@code pods}
 * @param subresource the subresource, such as {@code status} or {@code log}
 * @param namespace the namespace; empty for cluster-scoped resources and for requests across all
 *        namespaces
 * @param name the object's name; empty for list, watch and create
 * @param resourceRequest whether the request is for an API resource; if not, only {@code verb}
 *        and {@code path} apply
 * @param path the request's URL path, such as {@code /healthz} or {@code /api/v1/namespaces}
 */
public record AuthorizationAttributes(
        UserInfo user,
        String verb,
        String apiGroup,
        String apiVersion,
        String resource,
        String subresource,
        String namespace,
        String name,
        boolean resourceRequest,
        String path) {

    /** {@code user} and {@code verb} are required; other {@code null} strings become empty. */
    public AuthorizationAttributes {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(verb, "verb");
        apiGroup = Objects.requireNonNullElse(apiGroup, "");
        apiVersion = Objects.requireNonNullElse(apiVersion, "");
        resource = Objects.requireNonNullElse(resource, "");
        subresource = Objects.requireNonNullElse(subresource, "");
        namespace = Objects.requireNonNullElse(namespace, "");
        name = Objects.requireNonNullElse(name, "");
        path = Objects.requireNonNullElse(path, "");
    }
}

package io.kubundle.api.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who made a request, as Kubernetes' {@code user.Info}: what authenticators produce and
 * authorizers and admission see.
 *
 * @param name the user name, such as {@code kubernetes-admin} or
 *        {@code system:serviceaccount:default:builder}
 * @param uid a unique id that distinguishes users of the same name over time; may be empty
 * @param groups the groups the user belongs to
 * @param extra further facts an authenticator knows (scopes, the credential's id, ...)
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {

    /** The group of every authenticated user. */
    public static final String ALL_AUTHENTICATED = "system:authenticated";

    /** The group of every request no authenticator recognised. */
    public static final String ALL_UNAUTHENTICATED = "system:unauthenticated";

    /** The user name of a request no authenticator recognised. */
    public static final String ANONYMOUS = "system:anonymous";

    /** The group that every authorizer of a conforming cluster lets do everything. */
    public static final String SYSTEM_MASTERS = "system:masters";

    /** A {@code null} uid, groups or extra is taken as empty; the collections are copied. */
    public UserInfo {
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        if (extra != null) {
            extra.forEach((key, values) -> copy.put(Objects.requireNonNull(key, "extra key"), List.copyOf(values)));
        }
        extra = Collections.unmodifiableMap(copy);
    }

    /** The user of a request that carried no credentials any authenticator recognised. */
    public static UserInfo anonymous() {
        return new UserInfo(ANONYMOUS, "", List.of(ALL_UNAUTHENTICATED), Map.of());
    }
}

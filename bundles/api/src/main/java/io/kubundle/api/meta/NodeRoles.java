package io.kubundle.api.meta;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A node's roles as kubectl shows them (ROLES, {@code Roles:}): from its role labels, sorted. */
public final class NodeRoles {
    /** {@code node-role.kubernetes.io/<role>}, the label kubeadm and kubelets set. */
    public static final String ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";
    /** {@code kubernetes.io/role=<role>}, the older form kubectl still reads. */
    public static final String LEGACY_ROLE_LABEL = "kubernetes.io/role";

    private NodeRoles() {
    }

    /** The roles named by {@code labels}, sorted and without repeats; empty when none. */
    public static List<String> of(Map<String, String> labels) {
        TreeSet<String> roles = new TreeSet<>();
        labels.forEach((key, value) -> {
            if (key.startsWith(ROLE_LABEL_PREFIX) && key.length() > ROLE_LABEL_PREFIX.length()) {
                roles.add(key.substring(ROLE_LABEL_PREFIX.length()));
            } else if (key.equals(LEGACY_ROLE_LABEL) && value != null && !value.isEmpty()) {
                roles.add(value);
            }
        });
        return List.copyOf(roles);
    }
}

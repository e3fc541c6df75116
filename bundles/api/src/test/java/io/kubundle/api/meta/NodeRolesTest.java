package io.kubundle.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NodeRolesTest {
    @Test
    void rolesComeSortedFromBothLabelForms() {
        assertEquals(List.of("control-plane", "master"), NodeRoles.of(Map.of("node-role.kubernetes.io/master", "",
                "node-role.kubernetes.io/control-plane", "", "kubernetes.io/hostname", "k8s-master")));
        assertEquals(List.of("etcd", "worker"), NodeRoles.of(Map.of("kubernetes.io/role", "worker",
                "node-role.kubernetes.io/etcd", "true")));
        assertEquals(List.of("worker"), NodeRoles.of(Map.of("kubernetes.io/role", "worker", "node-role.kubernetes.io/worker", "")),
                "one role named twice is shown once");
        assertEquals(List.of(), NodeRoles.of(Map.of("node-role.kubernetes.io/", "", "kubernetes.io/role", "")),
                "empty role names are not roles");
    }
}

package io.kubundle.api.scheduler;

import java.util.Set;

import io.kubundle.api.meta.LabelSelector;

/**
 * A pod (anti-)affinity term: pods matching {@code selector} in {@code namespaces}, counted per
 * value of the node label {@code topologyKey}.
 *
 * @param selector which pods; null matches none
 * @param namespaces the namespaces of those pods; empty means the namespace of the pod with the
 *        term (Kubernetes' default), unless {@code allNamespaces}
 * @param allNamespaces an empty {@code namespaceSelector} ({@code {}}): every namespace. (Other
 *        namespace selectors are not supported: they count as the pod's namespace.)
 * @param topologyKey such as {@code kubernetes.io/hostname} or {@code topology.kubernetes.io/zone}
 */
public record PodAffinityTerm(LabelSelector selector, Set<String> namespaces, boolean allNamespaces, String topologyKey) {
    public PodAffinityTerm {
        namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    }

    /** Whether {@code other} is one of the pods this term (of {@code owner}, a pod) selects. */
    public boolean matches(PodInfo owner, PodInfo other) {
        if (selector == null) {
            return false;
        }
        if (!allNamespaces) {
            if (namespaces.isEmpty() ? !owner.namespace().equals(other.namespace()) : !namespaces.contains(other.namespace())) {
                return false;
            }
        }
        return selector.matches(other.labels());
    }

    /** A preferred term and its weight (1-100). */
    public record Weighted(int weight, PodAffinityTerm term) {
    }
}

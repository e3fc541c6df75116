package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every resource type the API server serves, and the legacy group versions it accepts and
 * stores as a current one (the tutorial's {@code extensions/v1beta1} Deployments).
 */
final class ResourceTypes {
    /*
     * group/version  kind  plural  scope  short names  subresources
     * One line per type keeps the whole API surface readable at a glance.
     */
    private static final String TABLE = """
            v1 Namespace namespaces cluster ns status
            v1 Pod pods namespaced po status,binding,eviction,log,exec,attach,portforward
            v1 Service services namespaced svc status
            v1 Endpoints endpoints namespaced ep -
            v1 ConfigMap configmaps namespaced cm -
            v1 Secret secrets namespaced - -
            v1 Node nodes cluster no status
            v1 Event events namespaced ev -
            v1 ServiceAccount serviceaccounts namespaced sa -
            v1 PersistentVolume persistentvolumes cluster pv status
            v1 PersistentVolumeClaim persistentvolumeclaims namespaced pvc status
            v1 LimitRange limitranges namespaced limits -
            v1 ResourceQuota resourcequotas namespaced quota status
            v1 ReplicationController replicationcontrollers namespaced rc status,scale
            apps/v1 Deployment deployments namespaced deploy status,scale
            apps/v1 ReplicaSet replicasets namespaced rs status,scale
            apps/v1 DaemonSet daemonsets namespaced ds status
            apps/v1 StatefulSet statefulsets namespaced sts status,scale
            apps/v1 ControllerRevision controllerrevisions namespaced - -
            batch/v1 Job jobs namespaced - status
            batch/v1 CronJob cronjobs namespaced cj status
            certificates.k8s.io/v1 CertificateSigningRequest certificatesigningrequests cluster csr status,approval
            coordination.k8s.io/v1 Lease leases namespaced - -
            discovery.k8s.io/v1 EndpointSlice endpointslices namespaced - -
            events.k8s.io/v1 Event events namespaced ev -
            networking.k8s.io/v1 IPAddress ipaddresses cluster ip -
            storage.k8s.io/v1 StorageClass storageclasses cluster sc -
            policy/v1 PodDisruptionBudget poddisruptionbudgets namespaced pdb status
            rbac.authorization.k8s.io/v1 Role roles namespaced - -
            rbac.authorization.k8s.io/v1 RoleBinding rolebindings namespaced - -
            rbac.authorization.k8s.io/v1 ClusterRole clusterroles cluster - -
            rbac.authorization.k8s.io/v1 ClusterRoleBinding clusterrolebindings cluster - -
            """;

    /** Old group versions whose objects are converted and stored as the current version of the kind. */
    private static final Map<String, List<String>> LEGACY = Map.of(
            "extensions/v1beta1", List.of("Deployment", "DaemonSet", "ReplicaSet"),
            "apps/v1beta1", List.of("Deployment", "StatefulSet"),
            "apps/v1beta2", List.of("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"));

    private final List<ResourceType> types;

    private ResourceTypes(List<ResourceType> types) {
        this.types = List.copyOf(types);
    }

    static ResourceTypes builtIn() {
        List<ResourceType> types = new ArrayList<>();
        for (String line : TABLE.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            int slash = f[0].indexOf('/');
            String group = slash < 0 ? "" : f[0].substring(0, slash);
            String version = f[0].substring(slash + 1);
            types.add(new ResourceType(group, version, f[1], f[2], f[3].equals("namespaced"), list(f[4]), list(f[5])));
        }
        return new ResourceTypes(types);
    }

    private static List<String> list(String field) {
        return field.equals("-") ? List.of() : Arrays.asList(field.split(","));
    }

    List<ResourceType> all() {
        return types;
    }

    /** The type a URL names: a group, version and plural; legacy group versions name the apps/v1 type. */
    Optional<ResourceType> byResource(String group, String version, String plural) {
        for (ResourceType type : types) {
            if (!type.plural().equals(plural)) {
                continue;
            }
            if (type.group().equals(group) && type.version().equals(version)) {
                return Optional.of(type);
            }
            if (type.group().equals("apps") && isLegacy(group + "/" + version, type.kind())) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** The type an object's apiVersion and kind name, legacy versions included. */
    Optional<ResourceType> byKind(String apiVersion, String kind) {
        for (ResourceType type : types) {
            if (!type.kind().equals(kind)) {
                continue;
            }
            if (type.apiVersion().equals(apiVersion) || (type.group().equals("apps") && isLegacy(apiVersion, kind))) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    static boolean isLegacy(String apiVersion, String kind) {
        return LEGACY.getOrDefault(apiVersion, List.of()).contains(kind);
    }
}

package io.kubundle.controller.support;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kubundle.client.kube.ResourceKind;

/** The built-in resources controllers work with, bound to fabric8's model classes. */
public final class Kinds {
    public static final ResourceKind<Pod> PODS = ResourceKind.of("v1", "Pod", "pods", true, Pod.class);
    public static final ResourceKind<Node> NODES = ResourceKind.of("v1", "Node", "nodes", false, Node.class);
    public static final ResourceKind<Namespace> NAMESPACES = ResourceKind.of("v1", "Namespace", "namespaces", false, Namespace.class);
    public static final ResourceKind<Event> EVENTS = ResourceKind.of("v1", "Event", "events", true, Event.class);
    public static final ResourceKind<ConfigMap> CONFIG_MAPS = ResourceKind.of("v1", "ConfigMap", "configmaps", true, ConfigMap.class);
    public static final ResourceKind<Service> SERVICES = ResourceKind.of("v1", "Service", "services", true, Service.class);
    public static final ResourceKind<PersistentVolume> PERSISTENT_VOLUMES = ResourceKind.of("v1", "PersistentVolume", "persistentvolumes",
            false, PersistentVolume.class);
    public static final ResourceKind<PersistentVolumeClaim> PERSISTENT_VOLUME_CLAIMS = ResourceKind.of("v1", "PersistentVolumeClaim",
            "persistentvolumeclaims", true, PersistentVolumeClaim.class);
    public static final ResourceKind<Lease> LEASES = ResourceKind.of("coordination.k8s.io/v1", "Lease", "leases", true, Lease.class);
    public static final ResourceKind<Deployment> DEPLOYMENTS = ResourceKind.of("apps/v1", "Deployment", "deployments", true,
            Deployment.class);
    public static final ResourceKind<ReplicaSet> REPLICA_SETS = ResourceKind.of("apps/v1", "ReplicaSet", "replicasets", true,
            ReplicaSet.class);
    public static final ResourceKind<DaemonSet> DAEMON_SETS = ResourceKind.of("apps/v1", "DaemonSet", "daemonsets", true, DaemonSet.class);
    public static final ResourceKind<StatefulSet> STATEFUL_SETS = ResourceKind.of("apps/v1", "StatefulSet", "statefulsets", true,
            StatefulSet.class);
    public static final ResourceKind<ControllerRevision> CONTROLLER_REVISIONS = ResourceKind.of("apps/v1", "ControllerRevision",
            "controllerrevisions", true, ControllerRevision.class);
    public static final ResourceKind<Job> JOBS = ResourceKind.of("batch/v1", "Job", "jobs", true, Job.class);
    public static final ResourceKind<CronJob> CRON_JOBS = ResourceKind.of("batch/v1", "CronJob", "cronjobs", true, CronJob.class);
    public static final ResourceKind<PodDisruptionBudget> POD_DISRUPTION_BUDGETS = ResourceKind.of("policy/v1", "PodDisruptionBudget",
            "poddisruptionbudgets", true, PodDisruptionBudget.class);

    private Kinds() {
    }
}

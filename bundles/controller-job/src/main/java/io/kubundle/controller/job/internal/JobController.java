package io.kubundle.controller.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;
import io.kubundle.controller.support.Names;
import io.kubundle.controller.support.Owners;

/**
 * Kubernetes' Job controller: keeps {@code min(parallelism, remaining completions)} pods running,
 * counts the finished ones, fails the Job past its {@code backoffLimit} or
 * {@code activeDeadlineSeconds}, completes it, and deletes it {@code ttlSecondsAfterFinished}
 * later. Keys are Jobs' {@code namespace/name}; the decisions are {@link JobPlan}'s.
 */
final class JobController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(JobController.class.getName());
    static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    static final String JOB_NAME = "batch.kubernetes.io/job-name";
    private static final String LEGACY_CONTROLLER_UID = "controller-uid";
    private static final String LEGACY_JOB_NAME = "job-name";
    private static final String BY_CONTROLLER = "controller";

    private final KubeClient client;
    private final ObjectMapper json;
    private final ResourceClient<Job> jobClient;
    private final ResourceClient<Pod> podClient;
    private final Informer<Job> jobs;
    private final Informer<Pod> pods;
    private final WorkQueue<String> queue = new WorkQueue<>("job");
    private final ControllerLoop loop;
    private final Expectations expectations = new Expectations();
    private final EventRecorder recorder;
    private final Backoff backoff;
    private final int workers;

    JobController(KubeClient client, int workers, Backoff backoff) {
        this.client = client;
        this.json = client.json();
        this.workers = workers;
        this.backoff = backoff;
        this.jobClient = client.resources(Kinds.JOBS);
        this.podClient = client.resources(Kinds.PODS);
        this.jobs = new Informer<>(jobClient, Duration.ZERO);
        this.pods = new Informer<>(podClient, Duration.ZERO);
        this.recorder = new EventRecorder(client, "job-controller");
        this.loop = new ControllerLoop("job", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        pods.addIndex(BY_CONTROLLER, pod -> Owners.controllerOf(pod).filter(ref -> "Job".equals(ref.getKind()))
                .map(ref -> List.of(ref.getUid())).orElse(List.of()));
        jobs.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Job job) {
                queue.add(key(job));
            }

            @Override
            public void onUpdate(Job oldJob, Job newJob) {
                queue.add(key(newJob));
            }

            @Override
            public void onDelete(Job job) {
                expectations.remove(job.getMetadata().getUid());
            }
        });
        pods.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueOwner(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                enqueueOwner(newPod);
            }

            @Override
            public void onDelete(Pod pod) {
                enqueueOwner(pod);
            }
        });
        jobs.start();
        pods.start();
        Duration timeout = Duration.ofSeconds(30);
        if (!jobs.awaitSynced(timeout) || !pods.awaitSynced(timeout)) {
            throw new IllegalStateException("job controller: informers did not sync in " + timeout);
        }
        loop.start(workers);
    }

    private void enqueueOwner(Pod pod) {
        Owners.controllerOf(pod).filter(ref -> "Job".equals(ref.getKind()))
                .ifPresent(ref -> queue.add(ObjectKey.of(pod.getMetadata().getNamespace(), ref.getName())));
    }

    private static String key(Job job) {
        return ObjectKey.of(job.getMetadata().getNamespace(), job.getMetadata().getName());
    }

    Duration reconcile(String key) throws Exception {
        Job job = jobs.get(key).orElse(null);
        if (job == null || job.getMetadata().getDeletionTimestamp() != null) {
            return Duration.ZERO;
        }
        String uid = job.getMetadata().getUid();
        String namespace = job.getMetadata().getNamespace();
        List<Pod> owned = pods.byIndex(BY_CONTROLLER, uid);
        Instant now = Instant.now();
        boolean mayManage = expectations.satisfied(uid, name -> pods.get(namespace, name).isPresent(),
                name -> pods.get(namespace, name).map(p -> p.getMetadata().getDeletionTimestamp() != null).orElse(true), now);
        JobPlan plan = JobPlan.decide(job, owned, now, backoff, mayManage);

        for (Pod pod : plan.delete()) {
            deletePod(job, pod, now);
        }
        if (plan.createIndexes().isEmpty()) {
            for (int i = 0; i < plan.create(); i++) {
                createPod(job, -1, now);
            }
        } else {
            for (int index : plan.createIndexes()) {
                createPod(job, index, now);
            }
        }
        Map<?, ?> before = job.getStatus() == null ? Map.of() : json.convertValue(job.getStatus(), Map.class);
        Map<?, ?> after = json.convertValue(plan.status(), Map.class);
        if (!before.equals(after)) {
            Job changed = json.convertValue(job, Job.class);
            changed.setStatus(plan.status());
            jobClient.updateStatus(changed);
        }
        for (JobPlan.Event event : plan.events()) {
            if (event.warning()) {
                recorder.warning(job, event.reason(), event.message());
            } else {
                recorder.normal(job, event.reason(), event.message());
            }
        }
        if (plan.deleteJob()) {
            jobClient.delete(namespace, job.getMetadata().getName(), DeleteOptions.propagation("Background").withPreconditionUid(uid));
            return Duration.ZERO;
        }
        return plan.requeue() == null ? Duration.ZERO : plan.requeue();
    }

    private static Map<String, String> jobLabels(Job job) {
        String uid = job.getMetadata().getUid();
        String name = job.getMetadata().getName();
        return Map.of(CONTROLLER_UID, uid, LEGACY_CONTROLLER_UID, uid, JOB_NAME, name, LEGACY_JOB_NAME, name);
    }

    private void createPod(Job job, int index, Instant now) throws Exception {
        String uid = job.getMetadata().getUid();
        String jobName = job.getMetadata().getName();
        String name = Names.child(index < 0 ? jobName : jobName + "-" + index, Names.randomSuffix());
        Pod pod = podFor(job, name, index);
        expectations.expectCreation(uid, name, now);
        try {
            podClient.create(pod);
        } catch (Exception e) {
            expectations.forget(uid, name);
            recorder.warning(job, "FailedCreate", "Error creating: " + e.getMessage());
            throw e;
        }
        recorder.normal(job, "SuccessfulCreate", "Created pod: " + name);
    }

    /** The pod for the Job's template: its labels, the Job's, the index for an Indexed Job, owned by the Job. */
    Pod podFor(Job job, String name, int index) {
        PodTemplateSpec template = job.getSpec().getTemplate();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(job.getMetadata().getNamespace());
        Map<String, String> labels = new HashMap<>();
        Map<String, String> annotations = new HashMap<>();
        if (template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) {
                labels.putAll(template.getMetadata().getLabels());
            }
            if (template.getMetadata().getAnnotations() != null) {
                annotations.putAll(template.getMetadata().getAnnotations());
            }
        }
        if (!Boolean.TRUE.equals(job.getSpec().getManualSelector())) {
            labels.putAll(jobLabels(job));
        }
        PodSpec spec = json.convertValue(template.getSpec(), PodSpec.class);
        if (index >= 0) {
            labels.put(JobPlan.COMPLETION_INDEX, Integer.toString(index));
            annotations.put(JobPlan.COMPLETION_INDEX, Integer.toString(index));
            if (spec.getHostname() == null) {
                spec.setHostname(job.getMetadata().getName() + "-" + index);
            }
            spec.getContainers().forEach(container -> {
                if (container.getEnv() == null) {
                    container.setEnv(new ArrayList<>());
                }
                container.getEnv().add(new EnvVarBuilder().withName("JOB_COMPLETION_INDEX")
                    .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.annotations['" + JobPlan.COMPLETION_INDEX + "']")
                    .endFieldRef().endValueFrom().build());
            });
        }
        meta.setLabels(labels);
        meta.setAnnotations(annotations);
        OwnerReference owner = Owners.controllerReference(job);
        owner.setApiVersion("batch/v1");
        owner.setKind("Job");
        meta.setOwnerReferences(List.of(owner));
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        pod.setSpec(spec);
        return pod;
    }

    private void deletePod(Job job, Pod pod, Instant now) throws Exception {
        String uid = job.getMetadata().getUid();
        String name = pod.getMetadata().getName();
        expectations.expectDeletion(uid, name, now);
        try {
            podClient.delete(pod.getMetadata().getNamespace(), name, DeleteOptions.DEFAULT.withPreconditionUid(pod.getMetadata().getUid()));
        } catch (ApiStatusException e) {
            expectations.forget(uid, name);
            if (e.isNotFound() || e.isConflict()) {
                return;
            }
            throw e;
        }
        recorder.normal(job, "SuccessfulDelete", "Deleted pod: " + name);
    }

    @Override
    public void close() {
        loop.close();
        jobs.close();
        pods.close();
        LOG.log(System.Logger.Level.DEBUG, "job controller stopped");
    }
}

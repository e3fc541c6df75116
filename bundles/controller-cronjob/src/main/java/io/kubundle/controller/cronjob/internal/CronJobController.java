package io.kubundle.controller.cronjob.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
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
import io.kubundle.controller.support.Owners;

/**
 * Kubernetes' CronJob controller: starts a Job at each scheduled time (the decisions are
 * {@link CronJobPlan}'s), keeps {@code status.active}, {@code lastScheduleTime} and
 * {@code lastSuccessfulTime}, trims the history, and looks at each CronJob again at its next
 * scheduled time. Keys are CronJobs' {@code namespace/name}.
 */
final class CronJobController implements ControllerHost.Controller {
    static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    private static final String BY_CONTROLLER = "controller";

    private final ObjectMapper json;
    private final ResourceClient<CronJob> cronJobClient;
    private final ResourceClient<Job> jobClient;
    private final Informer<CronJob> cronJobs;
    private final Informer<Job> jobs;
    private final WorkQueue<String> queue = new WorkQueue<>("cronjob");
    private final ControllerLoop loop;
    private final EventRecorder recorder;
    private final Clock clock;
    private final int workers;

    CronJobController(KubeClient client, int workers, Clock clock) {
        this.json = client.json();
        this.workers = workers;
        this.clock = clock;
        this.cronJobClient = client.resources(Kinds.CRON_JOBS);
        this.jobClient = client.resources(Kinds.JOBS);
        this.cronJobs = new Informer<>(cronJobClient, Duration.ZERO);
        this.jobs = new Informer<>(jobClient, Duration.ZERO);
        this.recorder = new EventRecorder(client, "cronjob-controller");
        this.loop = new ControllerLoop("cronjob", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        jobs.addIndex(BY_CONTROLLER, job -> Owners.controllerOf(job).filter(ref -> "CronJob".equals(ref.getKind()))
                .map(ref -> List.of(ref.getUid())).orElse(List.of()));
        cronJobs.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(CronJob cronJob) {
                queue.add(ObjectKey.of(cronJob.getMetadata().getNamespace(), cronJob.getMetadata().getName()));
            }

            @Override
            public void onUpdate(CronJob oldCronJob, CronJob newCronJob) {
                onAdd(newCronJob);
            }
        });
        jobs.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Job job) {
                Owners.controllerOf(job).filter(ref -> "CronJob".equals(ref.getKind()))
                        .ifPresent(ref -> queue.add(ObjectKey.of(job.getMetadata().getNamespace(), ref.getName())));
            }

            @Override
            public void onUpdate(Job oldJob, Job newJob) {
                onAdd(newJob);
            }

            @Override
            public void onDelete(Job job) {
                onAdd(job);
            }
        });
        cronJobs.start();
        jobs.start();
        Duration timeout = Duration.ofSeconds(30);
        if (!cronJobs.awaitSynced(timeout) || !jobs.awaitSynced(timeout)) {
            throw new IllegalStateException("cronjob controller: informers did not sync in " + timeout);
        }
        loop.start(workers);
    }

    Duration reconcile(String key) throws Exception {
        CronJob cronJob = cronJobs.get(key).orElse(null);
        if (cronJob == null) {
            return Duration.ZERO;
        }
        String namespace = cronJob.getMetadata().getNamespace();
        List<Job> children = jobs.byIndex(BY_CONTROLLER, cronJob.getMetadata().getUid());
        Instant now = clock.instant();
        CronJobPlan plan = CronJobPlan.decide(cronJob, children, now, clock.getZone());

        // recorded first: what they tell of (a Job seen finished) may be gone by a retry
        for (CronJobPlan.Event event : plan.events()) {
            if (event.warning()) {
                recorder.warning(cronJob, event.reason(), event.message());
            } else {
                recorder.normal(cronJob, event.reason(), event.message());
            }
        }
        for (Job job : plan.delete()) {
            try {
                jobClient.delete(namespace, job.getMetadata().getName(),
                        DeleteOptions.propagation("Background").withPreconditionUid(job.getMetadata().getUid()));
                recorder.normal(cronJob, "SuccessfulDelete", "Deleted job " + job.getMetadata().getName());
            } catch (ApiStatusException e) {
                if (!e.isNotFound() && !e.isConflict()) {
                    throw e;
                }
            }
        }
        if (plan.start() != null) {
            Job started = startJob(cronJob, plan);
            List<ObjectReference> active = new ArrayList<>(plan.status().getActive());
            if (active.stream().noneMatch(ref -> ref.getName().equals(started.getMetadata().getName()))) {
                active.add(CronJobPlan.reference(started));
            }
            plan.status().setActive(active);
        }
        Map<?, ?> before = cronJob.getStatus() == null ? Map.of() : json.convertValue(cronJob.getStatus(), Map.class);
        Map<?, ?> after = json.convertValue(plan.status(), Map.class);
        if (!before.equals(after)) {
            CronJob changed = json.convertValue(cronJob, CronJob.class);
            changed.setStatus(plan.status());
            cronJobClient.updateStatus(changed);
        }
        return plan.requeue() == null ? Duration.ZERO : plan.requeue();
    }

    /** Creates the Job for the planned time; one that exists already (a retried plan) is taken as it is. */
    private Job startJob(CronJob cronJob, CronJobPlan plan) throws Exception {
        Job job = jobFor(cronJob, plan);
        try {
            Job created = jobClient.create(job);
            recorder.normal(cronJob, "SuccessfulCreate", "Created job " + plan.jobName());
            return created;
        } catch (ApiStatusException e) {
            if (e.isAlreadyExists()) {
                return jobClient.get(job.getMetadata().getNamespace(), plan.jobName());
            }
            recorder.warning(cronJob, "FailedCreate", "Error creating job: " + e.getMessage());
            throw e;
        }
    }

    private Job jobFor(CronJob cronJob, CronJobPlan plan) {
        ObjectMeta template = cronJob.getSpec().getJobTemplate().getMetadata();
        Map<String, String> labels = new HashMap<>();
        Map<String, String> annotations = new HashMap<>();
        if (template != null) {
            if (template.getLabels() != null) {
                labels.putAll(template.getLabels());
            }
            if (template.getAnnotations() != null) {
                annotations.putAll(template.getAnnotations());
            }
        }
        ZoneId zone = cronJob.getSpec().getTimeZone() == null ? clock.getZone() : ZoneId.of(cronJob.getSpec().getTimeZone());
        annotations.put(SCHEDULED_TIMESTAMP, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(plan.start().atZone(zone)));
        ObjectMeta meta = new ObjectMeta();
        meta.setName(plan.jobName());
        meta.setNamespace(cronJob.getMetadata().getNamespace());
        meta.setLabels(labels);
        meta.setAnnotations(annotations);
        OwnerReference owner = Owners.controllerReference(cronJob);
        owner.setApiVersion("batch/v1");
        owner.setKind("CronJob");
        meta.setOwnerReferences(List.of(owner));
        Job job = new Job();
        job.setApiVersion("batch/v1");
        job.setKind("Job");
        job.setMetadata(meta);
        job.setSpec(json.convertValue(cronJob.getSpec().getJobTemplate().getSpec(), JobSpec.class));
        return job;
    }

    @Override
    public void close() {
        loop.close();
        cronJobs.close();
        jobs.close();
    }
}

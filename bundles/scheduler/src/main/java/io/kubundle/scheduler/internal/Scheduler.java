package io.kubundle.scheduler.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.scheduler.Bind;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Permit;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Reserve;
import io.kubundle.api.scheduler.Status;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;

/**
 * The scheduling loop. Informers on nodes and pods feed the {@link ClusterCache} (bound pods) and
 * the {@link SchedulingQueue} (pending pods of our profiles). One scheduling thread takes a pod,
 * runs the {@link Framework} against a snapshot, assumes the pod on the chosen node (the next pod
 * sees it there at once), runs Reserve and Permit, and hands the binding cycle (waiting permits,
 * Bind) to a pool of binding threads, so that slow API calls never hold up decisions. Outcomes
 * are told through the {@link Reporter}.
 */
final class Scheduler implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    static final ResourceKind<ObjectNode> PODS = ResourceKind.of("v1", "Pod", "pods", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> NODES = ResourceKind.of("v1", "Node", "nodes", false, ObjectNode.class);

    /** The profiles in force, by scheduler name. */
    record ProfileSet(Map<String, Profile> profiles) {
        Profile get(String schedulerName) {
            return profiles.get(schedulerName);
        }

        boolean serves(String schedulerName) {
            return profiles.containsKey(schedulerName);
        }
    }

    private final KubeClient client;
    private final ProfileConfig config;
    private final Reporter reporter;
    private final ClusterCache cache = new ClusterCache();
    private final SchedulingQueue queue;
    private final Framework framework;
    private final ExecutorService binders;
    private final ScheduledExecutorService housekeeping;
    private final Thread schedulingThread;
    private final AtomicLong scheduled = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong bindingFailures = new AtomicLong();
    /** The profiles in force, always current (the component's). */
    private final java.util.function.Supplier<ProfileSet> profileSource;
    /** The profiles the queue was last brought up to date with. */
    private ProfileSet seenProfiles;
    private volatile boolean closed;
    private Informer<ObjectNode> nodeInformer;
    private Informer<ObjectNode> podInformer;

    Scheduler(KubeClient client, ApiWrites api, ProfileConfig config, java.util.function.Supplier<ProfileSet> profiles) {
        this.client = client;
        this.config = config;
        this.profileSource = profiles;
        this.seenProfiles = profiles.get();
        this.reporter = new Reporter(api);
        this.queue = new SchedulingQueue(() -> System.nanoTime() / 1_000_000, config.initialBackoffMillis(), config.maxBackoffMillis(),
                config.unschedulableTimeoutMillis());
        this.framework = new Framework(config.percentageOfNodesToScore());
        this.binders = Executors.newFixedThreadPool(Math.max(1, config.bindWorkers()), daemon("scheduler-binding"));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(daemon("scheduler-housekeeping"));
        this.schedulingThread = new Thread(this::run, "scheduler");
        schedulingThread.setDaemon(true);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void start() throws Exception {
        nodeInformer = new Informer<>(client.resources(NODES), Duration.ZERO);
        nodeInformer.addHandler(new NodeHandler());
        podInformer = new Informer<>(client.resources(PODS), Duration.ZERO);
        podInformer.addHandler(new PodHandler());
        nodeInformer.start();
        if (!nodeInformer.awaitSynced(Duration.ofSeconds(60))) {
            throw new java.io.IOException("nodes did not list within 60 s");
        }
        podInformer.start();
        if (!podInformer.awaitSynced(Duration.ofSeconds(60))) {
            throw new java.io.IOException("pods did not list within 60 s");
        }
        schedulingThread.start();
        housekeeping.scheduleWithFixedDelay(this::housekeeping, 1, 1, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "scheduler started: {0} nodes, {1} pods bound, {2} pending, profiles {3}", cache.nodeCount(),
                cache.podCount(), queue.sizes()[0], profileSource.get().profiles().keySet());
    }

    /**
     * Brings the queue up to date with the profiles (plugins came or went, configuration changed):
     * waiting pods get another chance, and pods of a scheduler name newly served (or no longer
     * served) are taken (or dropped). Called when the component rebuilds its profiles, and every
     * second, so that no change is missed whatever the timing.
     */
    synchronized void profilesChanged() {
        ProfileSet current = profileSource.get();
        ProfileSet previous = seenProfiles;
        if (current == previous || podInformer == null || !podInformer.hasSynced()) {
            return;
        }
        seenProfiles = current;
        if (!previous.profiles().keySet().equals(current.profiles().keySet())) {
            for (ObjectNode object : podInformer.list()) {
                podChanged(null, object);
            }
        }
        queue.moveAll();
    }

    private void housekeeping() {
        try {
            if (cache.expire(System.currentTimeMillis()) > 0) {
                queue.moveAll();
            }
            profilesChanged();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "scheduler housekeeping failed", e);
        }
    }

    private void run() {
        while (!closed) {
            SchedulingQueue.QueuedPod next;
            try {
                next = queue.pop();
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                return;
            }
            try {
                scheduleOne(next);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "scheduling " + next.pod() + " failed", e);
                cache.forget(next.pod().uid());
                queue.addBackoff(next, e.toString());
            }
        }
    }

    private void scheduleOne(SchedulingQueue.QueuedPod queued) {
        PodInfo pod = queued.pod();
        Profile profile = profileSource.get().get(pod.schedulerName());
        if (profile == null || cache.contains(pod.uid())) {
            queue.done(pod.uid());
            return;
        }
        if (!profile.complete()) {
            String message = "profile " + profile.schedulerName + " cannot schedule: plugin(s) " + String.join(", ", profile.missing)
                    + " not installed";
            failedAttempts.incrementAndGet();
            queue.addUnschedulable(queued, message);
            reporter.failed(pod, "SchedulerError", message, profile.schedulerName);
            return;
        }
        Snapshot snapshot = cache.snapshot();
        CycleState state = new CycleState();
        Framework.Decision decision = framework.schedule(profile, pod, snapshot, state);
        if (!decision.scheduled()) {
            failedAttempts.incrementAndGet();
            String message = decision.message();
            if (decision.fitError() != null || (decision.error() != null && decision.error().isRejected())) {
                queue.addUnschedulable(queued, message);
                reporter.failed(pod, "Unschedulable", message, profile.schedulerName);
            } else {
                queue.addBackoff(queued, message);
                reporter.failed(pod, "SchedulerError", message, profile.schedulerName);
            }
            return;
        }
        String node = decision.node();
        PodInfo assumed = pod.toBuilder().nodeName(node).build();
        cache.assume(assumed);
        for (Reserve plugin : profile.reserves) {
            Status status = call(() -> plugin.reserve(state, assumed, node), plugin.name());
            if (!status.isSuccess()) {
                abandon(queued, profile, state, assumed, node, "reserve", status);
                return;
            }
        }
        List<Status> waits = new ArrayList<>();
        for (Permit plugin : profile.permits) {
            Status status = call(() -> plugin.permit(state, assumed, node), plugin.name());
            if (status.code() == Status.Code.WAIT) {
                waits.add(status.withPlugin(plugin.name()));
            } else if (!status.isSuccess()) {
                abandon(queued, profile, state, assumed, node, "permit", status);
                return;
            }
        }
        binders.execute(() -> bindingCycle(queued, profile, state, assumed, node, waits));
    }

    private void bindingCycle(SchedulingQueue.QueuedPod queued, Profile profile, CycleState state, PodInfo assumed, String node,
            List<Status> waits) {
        Status result = Status.success();
        for (Status wait : waits) {
            try {
                Status decision = wait.decision().toCompletableFuture().get(wait.timeout().toMillis(), TimeUnit.MILLISECONDS);
                if (decision == null || !decision.isSuccess()) {
                    result = decision == null ? Status.unschedulable("rejected by " + wait.plugin()) : decision.withPlugin(wait.plugin());
                    break;
                }
            } catch (TimeoutException e) {
                result = Status.unschedulable("rejected due to timeout after waiting " + wait.timeout().toMillis() + "ms at plugin "
                        + wait.plugin()).withPlugin(wait.plugin());
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = Status.error("interrupted while waiting for permit");
                break;
            } catch (Exception e) {
                result = Status.error("permit of " + wait.plugin() + " failed: " + e).withPlugin(wait.plugin());
                break;
            }
        }
        if (!result.isSuccess()) {
            abandon(queued, profile, state, assumed, node, "permit", result);
            return;
        }
        Status bound = Status.error("no binder bound the pod");
        for (Bind plugin : profile.binders) {
            Status status = call(() -> plugin.bind(state, assumed, node), plugin.name());
            if (!status.isSkip()) {
                bound = status.withPlugin(plugin.name());
                break;
            }
        }
        if (bound.isSuccess()) {
            cache.finishBinding(assumed.uid(), System.currentTimeMillis());
            queue.done(assumed.uid());
            scheduled.incrementAndGet();
            reporter.scheduled(assumed, node, profile.schedulerName);
        } else {
            bindingFailures.incrementAndGet();
            abandon(queued, profile, state, assumed, node, "bind", bound);
        }
    }

    /** A step after the decision failed: unreserve, forget the assumed pod, requeue (or drop a pod that is gone or bound). */
    private void abandon(SchedulingQueue.QueuedPod queued, Profile profile, CycleState state, PodInfo assumed, String node, String step,
            Status status) {
        for (int i = profile.reserves.size() - 1; i >= 0; i--) {
            Reserve plugin = profile.reserves.get(i);
            try {
                plugin.unreserve(state, assumed, node);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "unreserve of " + plugin.name() + " failed for " + assumed, e);
            }
        }
        cache.forget(assumed.uid());
        String message = step.equals("bind") ? "Binding rejected: " + status.message()
                : "running " + step + " plugin " + status.plugin() + ": " + status.message();
        if (step.equals("bind") && status.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
            // the pod is gone or already bound: nothing to retry
            queue.done(assumed.uid());
        } else if (status.isRejected()) {
            queue.addUnschedulable(queued, message);
            reporter.failed(assumed, "Unschedulable", message, profile.schedulerName);
        } else {
            queue.addBackoff(queued, message);
            reporter.failed(assumed, "SchedulerError", message, profile.schedulerName);
        }
        // the node has room again
        queue.moveAll();
    }

    private static Status call(java.util.function.Supplier<Status> call, String plugin) {
        try {
            Status status = call.get();
            return status == null ? Status.error("plugin " + plugin + " returned no status") : status;
        } catch (RuntimeException e) {
            return Status.error("plugin " + plugin + " failed: " + e).withPlugin(plugin);
        }
    }

    /**
     * A pod was added ({@code old} null) or changed. A pending pod whose change is only its status
     * (our own condition, for one) is not tried again for it, as in kube-scheduler.
     */
    private void podChanged(ObjectNode old, ObjectNode object) {
        PodInfo pod;
        try {
            pod = Parsing.pod(object);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pod {0}/{1} cannot be scheduled: {2}", object.path("metadata").path("namespace").asText(),
                    object.path("metadata").path("name").asText(), e.getMessage());
            return;
        }
        String phase = object.path("status").path("phase").asText("");
        boolean finished = phase.equals("Succeeded") || phase.equals("Failed");
        if (!pod.nodeName().isEmpty()) {
            queue.delete(pod.uid());
            if (finished) {
                if (cache.contains(pod.uid())) {
                    cache.removePod(pod.uid());
                    queue.moveAll();
                }
                return;
            }
            boolean known = cache.contains(pod.uid()) && !cache.isAssumed(pod.uid());
            cache.putPod(pod);
            if (!known && (pod.hasPodAffinity() || !pod.labels().isEmpty())) {
                // a pod placed may satisfy another's affinity
                queue.moveAll(waiting -> !waiting.requiredAffinity().isEmpty());
            }
            return;
        }
        if (finished || object.path("metadata").has("deletionTimestamp") || !profileSource.get().serves(pod.schedulerName())) {
            queue.delete(pod.uid());
            return;
        }
        if (cache.isAssumed(pod.uid())) {
            // decided and being bound: an older version of the pod, not a new request
            return;
        }
        if (old != null && old.path("spec").equals(object.path("spec"))
                && old.path("metadata").path("labels").equals(object.path("metadata").path("labels"))
                && old.path("metadata").path("annotations").equals(object.path("metadata").path("annotations"))) {
            queue.refresh(pod);
            return;
        }
        queue.add(pod);
    }

    private final class PodHandler implements ResourceHandler<ObjectNode> {
        @Override
        public void onAdd(ObjectNode object) {
            podChanged(null, object);
        }

        @Override
        public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
            podChanged(oldObject, newObject);
        }

        @Override
        public void onDelete(ObjectNode lastKnown) {
            String uid = lastKnown.path("metadata").path("uid").asText();
            queue.delete(uid);
            reporter.forget(uid);
            if (cache.contains(uid)) {
                cache.removePod(uid);
                queue.moveAll();
            }
        }
    }

    private final class NodeHandler implements ResourceHandler<ObjectNode> {
        @Override
        public void onAdd(ObjectNode object) {
            put(object);
            queue.moveAll();
        }

        @Override
        public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
            if (Parsing.schedulingRelevantChange(oldObject, newObject)) {
                put(newObject);
                queue.moveAll();
            }
        }

        @Override
        public void onDelete(ObjectNode lastKnown) {
            cache.removeNode(lastKnown.path("metadata").path("name").asText());
        }

        private void put(ObjectNode object) {
            try {
                cache.putNode(Parsing.node(object));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "node {0} is left out: {1}", object.path("metadata").path("name").asText(),
                        e.getMessage());
            }
        }
    }

    /** Counters for logs and tests: scheduled, failed attempts, failed bindings, queue sizes. */
    String stats() {
        int[] sizes = queue.sizes();
        return "scheduled " + scheduled.get() + ", failed attempts " + failedAttempts.get() + ", failed bindings " + bindingFailures.get()
                + ", queue active " + sizes[0] + " backoff " + sizes[1] + " unschedulable " + sizes[2] + " in flight " + sizes[3]
                + ", nodes " + cache.nodeCount() + ", pods " + cache.podCount() + " (assumed " + cache.assumedCount() + "), events dropped "
                + reporter.droppedEvents();
    }

    @Override
    public void close() {
        closed = true;
        queue.close();
        schedulingThread.interrupt();
        try {
            schedulingThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // bindings already decided finish: a pod is either bound or still pending for the next scheduler
        binders.shutdown();
        try {
            if (!binders.awaitTermination(30, TimeUnit.SECONDS)) {
                binders.shutdownNow();
            }
        } catch (InterruptedException e) {
            binders.shutdownNow();
            Thread.currentThread().interrupt();
        }
        housekeeping.shutdownNow();
        if (podInformer != null) {
            podInformer.close();
        }
        if (nodeInformer != null) {
            nodeInformer.close();
        }
        reporter.close();
        LOG.log(System.Logger.Level.INFO, "scheduler stopped: {0}", stats());
    }
}

package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.kubundle.api.scheduler.PodInfo;

/**
 * kube-scheduler's scheduling queue: pods waiting to be scheduled, in three places.
 * <ul>
 *   <li><b>active</b>: ready to be tried, highest priority first, then first come;</li>
 *   <li><b>backoff</b>: failed recently; each failure doubles the wait (initial 1 s, at most
 *       10 s by default) before the pod is active again;</li>
 *   <li><b>unschedulable</b>: no node fits; tried again when the cluster changes in a way that
 *       might help ({@link #moveAll}: a node added or changed, a pod deleted) or after the
 *       unschedulable time-out (5 minutes by default).</li>
 * </ul>
 * A pod popped for an attempt is <em>in flight</em> until {@link #done}, or requeued with
 * {@link #addUnschedulable} or {@link #addBackoff}. A cluster change during its attempt sends it
 * to backoff rather than unschedulable: its attempt may have missed the change. Keys are pod uids.
 * Time comes from a clock, for tests. Thread-safe.
 */
final class SchedulingQueue {
    /** A pod in the queue, with its history. */
    static final class QueuedPod {
        PodInfo pod;
        /** When it entered the queue first (ordering, latency). */
        final long added;
        /** When it became active last (ordering among equal priorities). */
        long timestamp;
        int attempts;
        long lastFailure;
        /** The scheduling cycle it was popped in. */
        long cycle;
        /** Why it was last found unschedulable (for tests and logs). */
        String reason;

        QueuedPod(PodInfo pod, long now) {
            this.pod = pod;
            this.added = now;
            this.timestamp = now;
        }

        PodInfo pod() {
            return pod;
        }

        long cycle() {
            return cycle;
        }

        int attempts() {
            return attempts;
        }

        long added() {
            return added;
        }
    }

    private static final Comparator<QueuedPod> ACTIVE_ORDER = Comparator.<QueuedPod>comparingInt(q -> -q.pod.priority())
            .thenComparingLong(q -> q.timestamp);

    private final LongSupplier clock;
    private final long initialBackoff;
    private final long maxBackoff;
    private final long unschedulableTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<QueuedPod> active = new PriorityQueue<>(ACTIVE_ORDER);
    private final PriorityQueue<QueuedPod> backoff = new PriorityQueue<>(Comparator.comparingLong(this::backoffExpiry));
    private final Map<String, QueuedPod> unschedulable = new HashMap<>();
    /** uid -> where it is: every pod known to the queue, in flight included. */
    private final Map<String, QueuedPod> all = new HashMap<>();
    private final Map<String, QueuedPod> inFlight = new HashMap<>();
    private long schedulingCycle;
    /** When the unschedulable pods were last checked for their time-out (a scan, so at most once a second). */
    private long lastUnschedulableScan = Long.MIN_VALUE / 4;
    private long moveRequestCycle = -1;
    private boolean closed;

    /**
     * @param clock milliseconds, monotonic
     */
    SchedulingQueue(LongSupplier clock, long initialBackoffMillis, long maxBackoffMillis, long unschedulableTimeoutMillis) {
        this.clock = clock;
        this.initialBackoff = initialBackoffMillis;
        this.maxBackoff = maxBackoffMillis;
        this.unschedulableTimeout = unschedulableTimeoutMillis;
    }

    /** A new pending pod: active at once. A pod already known is updated instead. */
    void add(PodInfo pod) {
        lock.lock();
        try {
            QueuedPod known = all.get(pod.uid());
            if (known != null) {
                updateLocked(known, pod);
                return;
            }
            QueuedPod queued = new QueuedPod(pod, clock.getAsLong());
            all.put(pod.uid(), queued);
            active.add(queued);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The pending pod changed (labels, spec): an unschedulable pod gets another chance. */
    void update(PodInfo pod) {
        lock.lock();
        try {
            QueuedPod known = all.get(pod.uid());
            if (known == null) {
                add(pod);
                return;
            }
            updateLocked(known, pod);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pod's status changed, nothing scheduling looks at: keep the newer object, but an
     * unschedulable pod stays where it is. A pod not in the queue is added.
     */
    void refresh(PodInfo pod) {
        lock.lock();
        try {
            QueuedPod known = all.get(pod.uid());
            if (known == null) {
                add(pod);
            } else {
                known.pod = pod;
            }
        } finally {
            lock.unlock();
        }
    }

    private void updateLocked(QueuedPod known, PodInfo pod) {
        known.pod = pod;
        if (unschedulable.remove(pod.uid()) != null) {
            requeueLocked(known);
        } else if (active.remove(known)) {
            active.add(known);
        } else if (backoff.remove(known)) {
            backoff.add(known);
        }
        // in flight: the attempt's outcome decides; the next attempt sees the new pod
    }

    /** The pod is gone, bound, or no longer ours. */
    void delete(String uid) {
        lock.lock();
        try {
            QueuedPod known = all.remove(uid);
            if (known == null) {
                return;
            }
            active.remove(known);
            backoff.remove(known);
            unschedulable.remove(uid);
            inFlight.remove(uid);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next pod to try, waiting until there is one; null once closed or interrupted.
     * Backoffs and time-outs that have run out are moved first.
     */
    QueuedPod pop() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed) {
                flushLocked();
                QueuedPod next = active.poll();
                if (next != null) {
                    return startLocked(next);
                }
                long wait = 1_000;
                QueuedPod soonest = backoff.peek();
                if (soonest != null) {
                    wait = Math.max(1, Math.min(wait, backoffExpiry(soonest) - clock.getAsLong()));
                }
                changed.await(wait, TimeUnit.MILLISECONDS);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The next active pod without waiting, or null (tests). */
    QueuedPod tryPop() {
        lock.lock();
        try {
            flushLocked();
            QueuedPod next = active.poll();
            return next == null ? null : startLocked(next);
        } finally {
            lock.unlock();
        }
    }

    private QueuedPod startLocked(QueuedPod next) {
        schedulingCycle++;
        next.cycle = schedulingCycle;
        next.attempts++;
        inFlight.put(next.pod.uid(), next);
        return next;
    }

    /** The attempt ended with the pod bound (or given up): it leaves the queue. */
    void done(String uid) {
        delete(uid);
    }

    /**
     * No node fits: the pod waits for a cluster change (or goes to backoff if one came during its
     * attempt). Ignored for a pod deleted meanwhile.
     */
    void addUnschedulable(QueuedPod pod, String reason) {
        lock.lock();
        try {
            if (inFlight.remove(pod.pod.uid()) == null || !all.containsKey(pod.pod.uid())) {
                return;
            }
            pod.lastFailure = clock.getAsLong();
            pod.reason = reason;
            if (moveRequestCycle >= pod.cycle) {
                backoff.add(pod);
            } else {
                unschedulable.put(pod.pod.uid(), pod);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The attempt failed for another reason (an error, a failed binding): retried after its backoff. */
    void addBackoff(QueuedPod pod, String reason) {
        lock.lock();
        try {
            if (inFlight.remove(pod.pod.uid()) == null || !all.containsKey(pod.pod.uid())) {
                return;
            }
            pod.lastFailure = clock.getAsLong();
            pod.reason = reason;
            backoff.add(pod);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Something changed that may help unschedulable pods (those {@code which} picks): they are tried again. */
    void moveAll(Predicate<PodInfo> which) {
        lock.lock();
        try {
            for (Iterator<QueuedPod> it = unschedulable.values().iterator(); it.hasNext();) {
                QueuedPod pod = it.next();
                if (which.test(pod.pod)) {
                    it.remove();
                    requeueLocked(pod);
                }
            }
            moveRequestCycle = schedulingCycle;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void moveAll() {
        moveAll(pod -> true);
    }

    private void requeueLocked(QueuedPod pod) {
        if (backoffExpiry(pod) > clock.getAsLong()) {
            backoff.add(pod);
        } else {
            pod.timestamp = clock.getAsLong();
            active.add(pod);
        }
    }

    /** Moves backoffs that ran out to active, and pods unschedulable for too long back to the queue. */
    private void flushLocked() {
        long now = clock.getAsLong();
        QueuedPod head;
        while ((head = backoff.peek()) != null && backoffExpiry(head) <= now) {
            backoff.poll();
            head.timestamp = now;
            active.add(head);
        }
        if (!unschedulable.isEmpty() && now - lastUnschedulableScan >= 1_000) {
            lastUnschedulableScan = now;
            for (Iterator<QueuedPod> it = unschedulable.values().iterator(); it.hasNext();) {
                QueuedPod pod = it.next();
                if (now - pod.lastFailure >= unschedulableTimeout) {
                    it.remove();
                    requeueLocked(pod);
                }
            }
        }
    }

    /** When the pod's backoff ends: initial * 2^(attempts-1), at most the maximum, after its last failure. */
    long backoffExpiry(QueuedPod pod) {
        return pod.lastFailure + backoffDuration(pod.attempts);
    }

    long backoffDuration(int attempts) {
        if (attempts <= 0) {
            return 0;
        }
        long duration = initialBackoff;
        for (int i = 1; i < attempts && duration < maxBackoff; i++) {
            duration *= 2;
        }
        return Math.min(duration, maxBackoff);
    }

    boolean contains(String uid) {
        lock.lock();
        try {
            return all.containsKey(uid);
        } finally {
            lock.unlock();
        }
    }

    /** Counts: active, backoff, unschedulable, in flight. */
    int[] sizes() {
        lock.lock();
        try {
            return new int[] {active.size(), backoff.size(), unschedulable.size(), inFlight.size()};
        } finally {
            lock.unlock();
        }
    }

    /** The pods waiting as unschedulable (tests, health). */
    List<PodInfo> unschedulablePods() {
        lock.lock();
        try {
            List<PodInfo> pods = new ArrayList<>();
            unschedulable.values().forEach(q -> pods.add(q.pod));
            return pods;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

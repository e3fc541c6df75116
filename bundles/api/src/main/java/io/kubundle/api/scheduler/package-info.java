/**
 * The scheduler's plugin SPI: the extension points of Kubernetes' scheduling framework as OSGi
 * services, so that a vendor adds a scheduling rule by installing a bundle.
 *
 * <h2>Plugins</h2>
 * A plugin is an OSGi service registered under {@link io.kubundle.api.scheduler.SchedulerPlugin}
 * with the service property {@value io.kubundle.api.scheduler.SchedulerPlugin#NAME_PROPERTY}
 * (its name, the same as {@link io.kubundle.api.scheduler.SchedulerPlugin#name()}). It
 * implements one or more extension-point interfaces; the scheduler calls it at each point it
 * implements:
 * <ol>
 *   <li><b>scheduling cycle</b>, one pod at a time, on the scheduler's one scheduling thread:
 *       {@link io.kubundle.api.scheduler.PreFilter} (once per pod),
 *       {@link io.kubundle.api.scheduler.Filter} (per node, cheap filters first, stopping at the first
 *       that rejects the node), {@link io.kubundle.api.scheduler.PostFilter} (only when no node fits),
 *       {@link io.kubundle.api.scheduler.PreScore} (once, with the feasible nodes),
 *       {@link io.kubundle.api.scheduler.Score} (per feasible node, then
 *       {@link io.kubundle.api.scheduler.Score#normalize normalize} once), then the pod is
 *       <em>assumed</em> on the chosen node (later decisions see it there),
 *       {@link io.kubundle.api.scheduler.Reserve}, and {@link io.kubundle.api.scheduler.Permit};</li>
 *   <li><b>binding cycle</b>, on a binding thread, several pods at once: waits for any permit,
 *       then {@link io.kubundle.api.scheduler.Bind} (the first binder that does not skip).</li>
 * </ol>
 * A failure after the pod was reserved calls {@link io.kubundle.api.scheduler.Reserve#unreserve}
 * of every Reserve plugin, in reverse order.
 *
 * <h2>Profiles</h2>
 * Which plugins run, in which order and with which score weights, is a <em>profile</em>, chosen by
 * the pod's {@code spec.schedulerName} (default {@code default-scheduler}). Profiles come from Config
 * Admin ({@code etc/io.kubundle.scheduler.cfg}). A plugin may also join profiles by itself with
 * the service property {@value io.kubundle.api.scheduler.SchedulerPlugin#PROFILES_PROPERTY}
 * ({@code *} for all) and weigh its scores with
 * {@value io.kubundle.api.scheduler.SchedulerPlugin#WEIGHT_PROPERTY}: that is how installing a
 * bundle adds a rule without editing any configuration. A plugin a profile names that no bundle
 * provides is reported in the process's health, and the pods of that profile wait (Pending, with
 * a FailedScheduling event saying why) until it is there.
 *
 * <h2>What plugins see</h2>
 * Pods and nodes are {@link io.kubundle.api.scheduler.PodInfo} and
 * {@link io.kubundle.api.scheduler.NodeInfo}: immutable snapshots holding the fields scheduling
 * needs, parsed once (resource requests, labels, taints and tolerations, affinity, topology spread
 * constraints, the pods on a node and what they request), so that a filter run against a thousand
 * nodes reads fields instead of JSON. Anything else is in {@code object()}, the whole object as a
 * JSON tree of {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} (built on
 * first use; read-only). This keeps the SPI free of any model library (no fabric8, no Jackson): a
 * plugin compiles against this package alone, and survives model upgrades.
 *
 * <h2>Threads and speed</h2>
 * All scheduling-cycle calls happen on one thread, so a plugin needs no locking for its per-pod
 * state (keep it in the {@link io.kubundle.api.scheduler.CycleState}), but it must be fast:
 * {@link io.kubundle.api.scheduler.Filter#filter} and {@link io.kubundle.api.scheduler.Score#score}
 * are called up to once per node for every pod, thousands of pods a second. Compute per pod in
 * PreFilter or PreScore, and return {@link io.kubundle.api.scheduler.Status#skip()} there when the
 * pod gives the plugin nothing to do: the scheduler then does not call its Filter or Score for that
 * pod at all. Permit and Bind may also be called from binding threads. A plugin that throws is
 * treated as returning {@link io.kubundle.api.scheduler.Status#error(String)}: the pod is retried
 * after a back-off.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.scheduler;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

package io.kubundle.api.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The outcome of a plugin call. Immutable.
 */
public final class Status {
    /** What happened. */
    public enum Code {
        /** The pod may go on (fits the node, is permitted, was bound). */
        SUCCESS,
        /** Something broke (not a property of the pod or node): the pod is retried after a back-off. */
        ERROR,
        /** The pod does not fit, but might if pods were removed (preemption may help). */
        UNSCHEDULABLE,
        /** The pod does not fit, and removing pods would not help. */
        UNSCHEDULABLE_AND_UNRESOLVABLE,
        /** Permit only: wait for a decision. */
        WAIT,
        /** PreFilter, PreScore and Bind: this plugin has nothing to do for the pod. */
        SKIP
    }

    private static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null, null, null);
    private static final Status SKIP = new Status(Code.SKIP, List.of(), null, null, null);

    private final Code code;
    private final List<String> reasons;
    private final String plugin;
    private final CompletionStage<Status> decision;
    private final Duration timeout;

    private Status(Code code, List<String> reasons, String plugin, CompletionStage<Status> decision, Duration timeout) {
        this.code = code;
        this.reasons = reasons;
        this.plugin = plugin;
        this.decision = decision;
        this.timeout = timeout;
    }

    public static Status success() {
        return SUCCESS;
    }

    public static Status skip() {
        return SKIP;
    }

    /** The pod does not fit for these reasons, but removing pods from the node might make it fit. */
    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), null, null, null);
    }

    /** The pod does not fit for these reasons, whatever pods were removed. */
    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), null, null, null);
    }

    public static Status error(String message) {
        return new Status(Code.ERROR, List.of(message), null, null, null);
    }

    /**
     * Permit: the pod waits until {@code decision} completes (allowed if with a success) or the
     * time-out passes (rejected).
     */
    public static Status waitFor(CompletionStage<Status> decision, Duration timeout) {
        return new Status(Code.WAIT, List.of(), null, Objects.requireNonNull(decision, "decision"),
                Objects.requireNonNull(timeout, "timeout"));
    }

    /** The same status, marked with the plugin that returned it. */
    public Status withPlugin(String pluginName) {
        if (Objects.equals(pluginName, plugin)) {
            return this;
        }
        return new Status(code, reasons, pluginName, decision, timeout);
    }

    public Code code() {
        return code;
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    /** Unschedulable, resolvable or not. */
    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    public List<String> reasons() {
        return reasons;
    }

    /** The reasons joined with ", " (empty without reasons). */
    public String message() {
        return String.join(", ", reasons);
    }

    /** The plugin that returned the status, once the scheduler has marked it; else null. */
    public String plugin() {
        return plugin;
    }

    /** For {@link Code#WAIT}: the decision to wait for. */
    public CompletionStage<Status> decision() {
        return decision;
    }

    /** For {@link Code#WAIT}: how long to wait at most. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return code + (reasons.isEmpty() ? "" : " " + reasons) + (plugin == null ? "" : " (" + plugin + ")");
    }
}

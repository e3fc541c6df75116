package io.kubundle.scheduler.preferlabel.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;

/**
 * A Score plugin: nodes with a label (by default {@code kubundle.io/preferred}, any value, or
 * one given value) score 100, others 0. It joins every profile by itself
 * ({@code scheduler.profiles=*}) with weight 5, enough to outweigh kube-scheduler's default
 * scores, so installing the bundle is all it takes; label, value (labelValue) and weight (scheduler.plugin.weight) are configurable in
 * {@code etc/io.kubundle.scheduler.preferlabel.cfg}, read live.
 */
@Component(configurationPid = "io.kubundle.scheduler.preferlabel", service = SchedulerPlugin.class, property = {
        SchedulerPlugin.NAME_PROPERTY + "=" + PreferLabel.NAME,
        SchedulerPlugin.PROFILES_PROPERTY + "=*",
        SchedulerPlugin.WEIGHT_PROPERTY + ":Integer=5"})
@Designate(ocd = PreferLabel.Config.class)
public final class PreferLabel implements Score {
    public static final String NAME = "PreferLabel";

    @ObjectClassDefinition(name = "Scheduler plugin: prefer nodes with a label")
    public @interface Config {
        @AttributeDefinition(description = "The node label that makes a node preferred")
        String label() default "kubundle.io/preferred";

        @AttributeDefinition(description = "The value it must have; empty for any value")
        String labelValue() default "";
    }

    private volatile String label = "kubundle.io/preferred";
    private volatile String value = "";

    public PreferLabel() {
    }

    /** For tests: a plugin with this label and value. */
    public PreferLabel(String label, String value) {
        this.label = label;
        this.value = value;
    }

    @Activate
    @Modified
    void configure(Config config) {
        label = config.label();
        value = config.labelValue();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        String actual = node.labels().get(label);
        boolean preferred = actual != null && (value.isEmpty() || value.equals(actual));
        return preferred ? MAX_SCORE : MIN_SCORE;
    }
}

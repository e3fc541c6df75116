package io.kubundle.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scheduler plugin: the parent of every extension point. Register the service under this
 * interface (and nothing else is needed: the scheduler finds the extension points a plugin
 * implements by its class), with the service property {@link #NAME_PROPERTY}.
 */
@ConsumerType
public interface SchedulerPlugin {
    /** Service property: the plugin's name, as profiles name it. Required. */
    String NAME_PROPERTY = "scheduler.plugin.name";

    /**
     * Service property (String or String[]): profiles the plugin joins by itself, by scheduler
     * name, {@code *} for every profile. A plugin that joins a profile runs after the plugins the
     * profile lists, at each extension point, and is optional: its absence is no problem.
     */
    String PROFILES_PROPERTY = "scheduler.profiles";

    /** Service property (integer, default 1): the weight of its scores in the profiles it joins. */
    String WEIGHT_PROPERTY = "scheduler.plugin.weight";

    /** The plugin's name; the same as its {@link #NAME_PROPERTY} service property. */
    String name();
}

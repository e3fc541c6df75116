package io.kubundle.net.cni.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code io.kubundle.net.cni}: put it in {@code etc/io.kubundle.net.cni.cfg}. */
@ObjectClassDefinition(name = "Kubundle CNI network",
        description = "Pods wired by standard CNI plugin binaries from a network configuration list.")
@interface CniConfig {
    @AttributeDefinition(description = "Where network configurations (*.conflist, *.conf, *.json) are read from, at every ADD.")
    String confDir() default "/etc/cni/net.d";

    @AttributeDefinition(description = "Directories searched, in order, for the plugin binaries (comma-separated); also CNI_PATH.")
    String binDirs() default "/opt/cni/bin,/usr/lib/cni";

    @AttributeDefinition(description = "The network (a configuration's \"name\") pods get; empty for the first file of confDir "
            + "in lexical order that parses.")
    String network() default "";

    @AttributeDefinition(description = "Where each pod's result and configuration are cached; empty for <kubundle.data.dir>/network/cni.")
    String stateDir() default "";

    @AttributeDefinition(description = "Seconds a plugin binary may run before it is killed.")
    int timeoutSeconds() default 30;
}

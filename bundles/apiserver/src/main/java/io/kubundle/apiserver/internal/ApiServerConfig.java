package io.kubundle.apiserver.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Kubundle API server", description = "The Kubernetes REST API of the master.")
@interface ApiServerConfig {
    @AttributeDefinition(description = "Address to listen on.")
    String bindAddress() default "127.0.0.1";

    @AttributeDefinition(description = "Port; -1 takes the framework property kubundle.api.port (the CLI's --port), else 6443.")
    int port() default -1;

    @AttributeDefinition(description = "Threads that serve requests (watches hold none).")
    int workerThreads() default 32;

    @AttributeDefinition(description = "Recent changes the watch cache keeps per resource type; a watch from an older "
            + "resourceVersion gets 410 Gone. 0 turns the watch cache off: lists and watches read the store.")
    int watchCacheSize() default 1000;

    @AttributeDefinition(description = "Events a watch may have queued for its client before it is closed as too slow "
            + "(the client watches again from the last resourceVersion it saw).")
    int watchBuffer() default 10000;

    @AttributeDefinition(description = "Seconds between compactions of the store's history, keeping at least one interval of it"
            + " (kube-apiserver's --etcd-compaction-interval); 0 never compacts.")
    long compactionIntervalSeconds() default 300;
}

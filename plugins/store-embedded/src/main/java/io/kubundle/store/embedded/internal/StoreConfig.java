package io.kubundle.store.embedded.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Kubundle embedded store",
        description = "The default store: the cluster's state and its history in an SQLite file.")
@interface StoreConfig {
    @AttributeDefinition(description = "Directory of the store; empty for <kubundle.data.dir>/store.")
    String path() default "";

    @AttributeDefinition(description = "Most writes committed together, with one fsync.")
    int maxBatch() default 1000;

    @AttributeDefinition(description = "Most events a watch may have waiting; a watch further behind is closed.")
    int watchBuffer() default 10_000;

    @AttributeDefinition(description = "Threads that deliver watch events, shared by all watches.")
    int watchThreads() default 2;

    @AttributeDefinition(description = "Database connections that serve reads side by side.")
    int readConnections() default 4;
}

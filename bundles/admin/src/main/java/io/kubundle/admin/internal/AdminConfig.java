package io.kubundle.admin.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Kubundle admin endpoint",
        description = "The HTTP endpoint that manages the bundles of this process.")
@interface AdminConfig {
    @AttributeDefinition(description = "Address to listen on; keep it on loopback, the token is the only protection.")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "Port to listen on; 0 picks a free one, published in "
            + "<kubundle.data.dir>/admin.url; -1 takes the framework property kubundle.admin.port (the CLI's --admin-port).")
    int port() default -1;
}

package io.kubundle.security.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Kubundle security",
        description = "The cluster PKI in <kubundle.data.dir>/pki and the admin kubeconfig.")
@interface SecurityConfig {
    @AttributeDefinition(description = "Further host names and IP addresses the API server's certificate is valid for, "
            + "beyond localhost, the host name, 127.0.0.1, ::1, 10.96.0.1 and kubernetes.default.svc.cluster.local; "
            + "one value may hold several, separated by commas or spaces. A change issues a new certificate.")
    String[] extraSans() default {};
}

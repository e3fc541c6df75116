package io.kubundle.sample.greeter.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;

/**
 * A mutating admission hook that writes a greeting annotation on every object created or
 * updated. The greeting names the bundle version that wrote it, so a swap is visible on the
 * objects themselves.
 */
@Component(service = MutatingAdmission.class, configurationPid = "io.kubundle.sample.greeter",
        property = MutatingAdmission.NAME_PROPERTY + "=sample-greeter")
@Designate(ocd = GreeterConfig.class)
public final class Greeter implements MutatingAdmission {
    private final String annotation;
    private final String message;

    @Activate
    public Greeter(GreeterConfig config, BundleContext context) {
        this(config.annotation(), config.greeting() + " from " + context.getBundle().getSymbolicName() + " "
                + context.getBundle().getVersion());
    }

    Greeter(String annotation, String message) {
        this.annotation = annotation;
        this.message = message;
    }

    @Override
    public void admit(AdmissionRequest request) {
        if (request.operation() == AdmissionRequest.Operation.DELETE) {
            return;
        }
        Map<String, Object> metadata = child(request.object(), "metadata");
        child(metadata, "annotations").put(annotation, message);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }
}

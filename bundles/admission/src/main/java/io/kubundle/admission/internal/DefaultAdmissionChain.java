package io.kubundle.admission.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.api.admission.AdmissionDeniedException;
import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;

/**
 * Runs the mutating admission hooks present at the moment of each call. Hooks come and go with
 * their bundles; a call in flight keeps the snapshot it started with.
 */
@Component(service = AdmissionChain.class)
public final class DefaultAdmissionChain implements AdmissionChain {
    /** Highest {@code service.ranking} first, then lowest service id, as the framework orders services. */
    private final Map<ServiceReference<MutatingAdmission>, MutatingAdmission> hooks =
            new ConcurrentSkipListMap<>(Collections.reverseOrder());

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addHook(ServiceReference<MutatingAdmission> reference, MutatingAdmission hook) {
        hooks.put(reference, hook);
    }

    void removeHook(ServiceReference<MutatingAdmission> reference) {
        hooks.remove(reference);
    }

    @Override
    public void admit(AdmissionRequest request) throws AdmissionDeniedException {
        for (Map.Entry<ServiceReference<MutatingAdmission>, MutatingAdmission> hook : List.copyOf(hooks.entrySet())) {
            try {
                hook.getValue().admit(request);
            } catch (AdmissionDeniedException e) {
                throw new AdmissionDeniedException("admission hook " + nameOf(hook.getKey()) + " denied the request: "
                        + e.getMessage());
            } catch (RuntimeException e) {
                // like a webhook with failurePolicy Fail: a broken hook must not let an unchecked object through
                throw new AdmissionDeniedException("admission hook " + nameOf(hook.getKey()) + " failed: " + e);
            }
        }
    }

    @Override
    public List<String> hookNames() {
        List<String> names = new ArrayList<>();
        for (ServiceReference<MutatingAdmission> reference : hooks.keySet()) {
            names.add(nameOf(reference));
        }
        return names;
    }

    private static String nameOf(ServiceReference<?> reference) {
        Object name = reference.getProperty(MutatingAdmission.NAME_PROPERTY);
        return name != null ? name.toString() : "#" + reference.getProperty("service.id");
    }
}

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
import io.kubundle.api.admission.AdmissionInvalidException;
import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;
import io.kubundle.api.admission.ValidatingAdmission;

/**
 * Runs the mutating, then (separately) the validating admission hooks present at the moment of
 * each call. Hooks come and go with their bundles; a call in flight keeps the snapshot it started
 * with.
 */
@Component(service = AdmissionChain.class)
public final class DefaultAdmissionChain implements AdmissionChain {
    /** Highest {@code service.ranking} first, then lowest service id, as the framework orders services. */
    private final Map<ServiceReference<MutatingAdmission>, MutatingAdmission> hooks =
            new ConcurrentSkipListMap<>(Collections.reverseOrder());
    private final Map<ServiceReference<ValidatingAdmission>, ValidatingAdmission> validators =
            new ConcurrentSkipListMap<>(Collections.reverseOrder());

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addHook(ServiceReference<MutatingAdmission> reference, MutatingAdmission hook) {
        hooks.put(reference, hook);
    }

    void removeHook(ServiceReference<MutatingAdmission> reference) {
        hooks.remove(reference);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addValidator(ServiceReference<ValidatingAdmission> reference, ValidatingAdmission validator) {
        validators.put(reference, validator);
    }

    void removeValidator(ServiceReference<ValidatingAdmission> reference) {
        validators.remove(reference);
    }

    @Override
    public void admit(AdmissionRequest request) throws AdmissionDeniedException {
        runAll(hooks, hook -> hook.admit(request));
    }

    @Override
    public void validate(AdmissionRequest request) throws AdmissionDeniedException {
        runAll(validators, validator -> validator.validate(request));
    }

    /** One hook's work on the request. */
    private interface Call<H> {
        void on(H hook) throws AdmissionDeniedException;
    }

    private static <H> void runAll(Map<ServiceReference<H>, H> present, Call<H> call) throws AdmissionDeniedException {
        for (Map.Entry<ServiceReference<H>, H> hook : List.copyOf(present.entrySet())) {
            try {
                call.on(hook.getValue());
            } catch (AdmissionInvalidException e) {
                throw e; // its field causes are the client's answer (422), as they are
            } catch (AdmissionDeniedException e) {
                throw new AdmissionDeniedException("admission hook " + nameOf(hook.getKey()) + " denied the request: "
                        + e.getMessage());
            } catch (RuntimeException e) {
                // like a webhook with failurePolicy Fail: a broken hook must not let an unchecked object through
                throw new AdmissionDeniedException("admission hook " + nameOf(hook.getKey()) + " failed: " + e);
            }
        }
    }

    /** The mutating hooks' names, in order, then the validating ones'. */
    @Override
    public List<String> hookNames() {
        List<String> names = new ArrayList<>();
        for (ServiceReference<MutatingAdmission> reference : hooks.keySet()) {
            names.add(nameOf(reference));
        }
        for (ServiceReference<ValidatingAdmission> reference : validators.keySet()) {
            names.add(nameOf(reference));
        }
        return names;
    }

    private static String nameOf(ServiceReference<?> reference) {
        Object name = reference.getProperty(MutatingAdmission.NAME_PROPERTY);
        return name != null ? name.toString() : "#" + reference.getProperty("service.id");
    }
}

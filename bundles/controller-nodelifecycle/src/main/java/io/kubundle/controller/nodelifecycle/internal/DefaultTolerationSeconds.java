package io.kubundle.controller.nodelifecycle.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;

/**
 * Kubernetes' DefaultTolerationSeconds admission plugin: a pod created without a toleration for
 * the {@code node.kubernetes.io/not-ready} or {@code node.kubernetes.io/unreachable} NoExecute taint
 * gets one ({@code Exists}, {@code tolerationSeconds} 300 by default), so its pods leave a failed
 * node five minutes after the node lifecycle controller taints it. A toleration with no key or no
 * effect that covers the taint counts, as in Kubernetes. Only creates are changed.
 */
@Component(service = MutatingAdmission.class, configurationPid = "io.kubundle.admission.defaulttolerationseconds",
        property = MutatingAdmission.NAME_PROPERTY + "=DefaultTolerationSeconds")
@Designate(ocd = DefaultTolerationSeconds.Config.class)
public final class DefaultTolerationSeconds implements MutatingAdmission {
    @ObjectClassDefinition(name = "Kubundle DefaultTolerationSeconds admission")
    public @interface Config {
        @AttributeDefinition(description = "tolerationSeconds of the not-ready:NoExecute toleration added to pods without one")
        long defaultNotReadyTolerationSeconds() default 300;

        @AttributeDefinition(description = "tolerationSeconds of the unreachable:NoExecute toleration added to pods without one")
        long defaultUnreachableTolerationSeconds() default 300;
    }

    private final long notReadySeconds;
    private final long unreachableSeconds;

    @Activate
    public DefaultTolerationSeconds(Config config) {
        this(config.defaultNotReadyTolerationSeconds(), config.defaultUnreachableTolerationSeconds());
    }

    DefaultTolerationSeconds(long notReadySeconds, long unreachableSeconds) {
        this.notReadySeconds = notReadySeconds;
        this.unreachableSeconds = unreachableSeconds;
    }

    @Override
    public void admit(AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.CREATE || !request.kind().equals("Pod") || !request.apiVersion().equals("v1")) {
            return;
        }
        if (!(request.object().get("spec") instanceof Map<?, ?> rawSpec)) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) rawSpec;
        List<Object> tolerations = new ArrayList<>(spec.get("tolerations") instanceof List<?> list ? list : List.of());
        boolean notReady = covered(tolerations, NodeHealth.NOT_READY);
        boolean unreachable = covered(tolerations, NodeHealth.UNREACHABLE);
        if (notReady && unreachable) {
            return;
        }
        if (!notReady) {
            tolerations.add(toleration(NodeHealth.NOT_READY, notReadySeconds));
        }
        if (!unreachable) {
            tolerations.add(toleration(NodeHealth.UNREACHABLE, unreachableSeconds));
        }
        spec.put("tolerations", tolerations);
    }

    private static boolean covered(List<Object> tolerations, String key) {
        for (Object item : tolerations) {
            if (item instanceof Map<?, ?> toleration) {
                Object tolerationKey = toleration.get("key");
                Object effect = toleration.get("effect");
                boolean keyMatches = tolerationKey == null || "".equals(tolerationKey) || key.equals(tolerationKey);
                boolean effectMatches = effect == null || "".equals(effect) || Tolerations.NO_EXECUTE.equals(effect);
                if (keyMatches && effectMatches) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Map<String, Object> toleration(String key, long seconds) {
        Map<String, Object> toleration = new LinkedHashMap<>();
        toleration.put("key", key);
        toleration.put("operator", "Exists");
        toleration.put("effect", Tolerations.NO_EXECUTE);
        toleration.put("tolerationSeconds", seconds);
        return toleration;
    }
}

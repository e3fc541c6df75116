package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.kubundle.api.runtime.ContainerConfig;

/**
 * A container's environment as Kubernetes makes it: {@code envFrom} first (ConfigMaps and Secrets,
 * with their prefix), then {@code env} in order, each {@code value} expanded with
 * {@code $(NAME)} from what came before ({@code $$} is a literal {@code $}); and the command and
 * arguments expanded with the result.
 */
final class EnvResolver {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)|\\$\\$");
    private static final Pattern LABEL_PATH = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    /** What the pod's field references read that is not in the pod object. */
    record PodFacts(String podIp, String hostIp, long nodeCpuMillis, long nodeMemoryBytes) { }

    private final ObjectLookup lookup;

    EnvResolver(ObjectLookup lookup) {
        this.lookup = lookup;
    }

    List<ContainerConfig.EnvVar> resolve(Pod pod, Container container, PodFacts facts) throws ConfigError, IOException {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                boolean optional = Boolean.TRUE.equals(from.getConfigMapRef().getOptional());
                Optional<ConfigMap> map = lookup.configMap(namespace, from.getConfigMapRef().getName());
                if (map.isEmpty() && !optional) {
                    throw new ConfigError("CreateContainerConfigError", "configmap \"" + from.getConfigMapRef().getName() + "\" not found");
                }
                map.ifPresent(found -> found.getData().forEach((key, value) -> putIfValidName(env, prefix + key, value)));
            }
            if (from.getSecretRef() != null) {
                boolean optional = Boolean.TRUE.equals(from.getSecretRef().getOptional());
                Optional<Secret> secret = lookup.secret(namespace, from.getSecretRef().getName());
                if (secret.isEmpty() && !optional) {
                    throw new ConfigError("CreateContainerConfigError", "secret \"" + from.getSecretRef().getName() + "\" not found");
                }
                secret.ifPresent(found -> secretData(found).forEach((key, value) -> putIfValidName(env, prefix + key, value)));
            }
        }
        for (EnvVar variable : container.getEnv()) {
            String value;
            if (variable.getValueFrom() != null) {
                value = valueFrom(pod, container, variable, facts);
                if (value == null) {
                    continue; // an optional key that is missing: the variable is not set
                }
            } else {
                value = expand(variable.getValue() == null ? "" : variable.getValue(), env);
            }
            env.remove(variable.getName()); // a redefinition moves to its new place, as the kubelet's list does
            env.put(variable.getName(), value);
        }
        List<ContainerConfig.EnvVar> result = new ArrayList<>(env.size());
        env.forEach((name, value) -> result.add(new ContainerConfig.EnvVar(name, value)));
        return result;
    }

    /** Kubernetes skips envFrom keys that are not valid variable names (and reports an event). */
    private static void putIfValidName(Map<String, String> env, String name, String value) {
        if (name.matches("[-._a-zA-Z][-._a-zA-Z0-9]*")) {
            env.put(name, value);
        }
    }

    private String valueFrom(Pod pod, Container container, EnvVar variable, PodFacts facts) throws ConfigError, IOException {
        EnvVarSource source = variable.getValueFrom();
        String namespace = pod.getMetadata().getNamespace();
        if (source.getConfigMapKeyRef() != null) {
            var ref = source.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Optional<ConfigMap> map = lookup.configMap(namespace, ref.getName());
            if (map.isEmpty()) {
                return missing(optional, "configmap \"" + ref.getName() + "\" not found");
            }
            String value = map.get().getData() == null ? null : map.get().getData().get(ref.getKey());
            return value != null ? value
                    : missing(optional, "couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName());
        }
        if (source.getSecretKeyRef() != null) {
            var ref = source.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Optional<Secret> secret = lookup.secret(namespace, ref.getName());
            if (secret.isEmpty()) {
                return missing(optional, "secret \"" + ref.getName() + "\" not found");
            }
            String value = secretData(secret.get()).get(ref.getKey());
            return value != null ? value
                    : missing(optional, "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
        }
        if (source.getFieldRef() != null) {
            return fieldValue(pod, source.getFieldRef(), facts);
        }
        if (source.getResourceFieldRef() != null) {
            return resourceValue(pod, container, source.getResourceFieldRef(), facts);
        }
        throw new ConfigError("CreateContainerConfigError", "env " + variable.getName() + ": valueFrom names no source");
    }

    private static String missing(boolean optional, String message) throws ConfigError {
        if (optional) {
            return null;
        }
        throw new ConfigError("CreateContainerConfigError", message);
    }

    static Map<String, String> secretData(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }

    /** The value of a downward API field path ({@code metadata.name}, {@code status.podIP}, ...). */
    static String fieldValue(Pod pod, ObjectFieldSelector selector, PodFacts facts) throws ConfigError {
        String path = selector.getFieldPath();
        Matcher labelPath = LABEL_PATH.matcher(path);
        if (labelPath.matches()) {
            Map<String, String> values = "labels".equals(labelPath.group(1)) ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return values == null ? "" : values.getOrDefault(labelPath.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName() == null ? "default"
                    : pod.getSpec().getServiceAccountName();
            case "status.hostIP", "status.hostIPs" -> facts.hostIp();
            case "status.podIP", "status.podIPs" -> facts.podIp() == null ? "" : facts.podIp();
            default -> throw new ConfigError("CreateContainerConfigError", "unsupported fieldPath: " + path);
        };
    }

    /** A resource of a container in units of the divisor, rounded up as Kubernetes does. */
    static String resourceValue(Pod pod, Container owner, ResourceFieldSelector selector, PodFacts facts) throws ConfigError {
        Container container = owner;
        if (selector.getContainerName() != null && !selector.getContainerName().isEmpty()) {
            container = pod.getSpec().getContainers().stream().filter(c -> selector.getContainerName().equals(c.getName())).findFirst()
                    .orElseThrow(() -> new ConfigError("CreateContainerConfigError", "container " + selector.getContainerName()
                            + " not found for resourceFieldRef"));
        }
        String resource = selector.getResource();
        String kind = resource.startsWith("limits.") ? "limits" : "requests";
        String name = resource.substring(resource.indexOf('.') + 1);
        Map<String, Quantity> values = container.getResources() == null ? null
                : "limits".equals(kind) ? container.getResources().getLimits() : container.getResources().getRequests();
        BigDecimal amount;
        if (values != null && values.get(name) != null) {
            amount = Quantity.getAmountInBytes(values.get(name));
        } else if ("limits".equals(kind) && "cpu".equals(name)) {
            amount = BigDecimal.valueOf(facts.nodeCpuMillis()).movePointLeft(3);
        } else if ("limits".equals(kind) && "memory".equals(name)) {
            amount = BigDecimal.valueOf(facts.nodeMemoryBytes());
        } else {
            amount = BigDecimal.ZERO;
        }
        BigDecimal divisor = selector.getDivisor() == null ? BigDecimal.ONE : Quantity.getAmountInBytes(selector.getDivisor());
        if (divisor.signum() == 0) {
            throw new ConfigError("CreateContainerConfigError", "resourceFieldRef " + resource + ": divisor is zero");
        }
        return amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }

    /** Expands {@code $(NAME)} references from {@code env}; unknown ones stay as written. */
    static String expand(String text, Map<String, String> env) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group(1) == null) {
                replacement = "$";
            } else {
                String value = env.get(matcher.group(1));
                replacement = value == null ? matcher.group() : value;
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** The command or arguments with {@code $(NAME)} expanded from the container's environment. */
    static List<String> expandAll(List<String> words, List<ContainerConfig.EnvVar> env) {
        Map<String, String> values = new LinkedHashMap<>();
        env.forEach(variable -> values.put(variable.name(), variable.value()));
        return words.stream().map(word -> expand(word, values)).toList();
    }
}

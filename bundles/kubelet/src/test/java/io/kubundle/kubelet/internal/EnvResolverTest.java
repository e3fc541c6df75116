package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubundle.api.runtime.ContainerConfig;

class EnvResolverTest {
    private final Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final EnvResolver resolver = new EnvResolver(new ObjectLookup() {
        @Override
        public Optional<ConfigMap> configMap(String namespace, String name) {
            return Optional.ofNullable(configMaps.get(namespace + "/" + name));
        }

        @Override
        public Optional<Secret> secret(String namespace, String name) {
            return Optional.ofNullable(secrets.get(namespace + "/" + name));
        }

        @Override
        public Optional<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<io.fabric8.kubernetes.api.model.PersistentVolume> persistentVolume(String name) {
            return Optional.empty();
        }
    });
    private final EnvResolver.PodFacts facts = new EnvResolver.PodFacts("10.244.0.7", "192.168.1.2", 2000, 4L << 30);

    private Pod pod(Container container) {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").withUid("u-1").addToLabels("app", "web")
                .endMetadata().withNewSpec().withNodeName("node-a").withContainers(container).endSpec().build();
    }

    private Map<String, String> resolve(Container container) throws Exception {
        Map<String, String> result = new LinkedHashMap<>();
        for (ContainerConfig.EnvVar variable : resolver.resolve(pod(container), container, facts)) {
            result.put(variable.name(), variable.value());
        }
        return result;
    }

    @Test
    void envFromComesFirstAndEnvOverridesWithExpansion() throws Exception {
        configMaps.put("shop/settings", new ConfigMapBuilder().addToData("MODE", "prod").addToData("bad name", "x")
                .addToData("PORT", "80").build());
        secrets.put("shop/creds", new SecretBuilder().addToData("PASSWORD",
                Base64.getEncoder().encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8))).build());
        Container container = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withPrefix("DB_").withNewSecretRef().withName("creds").endSecretRef().endEnvFrom()
                .addNewEnv().withName("PORT").withValue("8080").endEnv()
                .addNewEnv().withName("URL").withValue("http://$(POD_IP):$(PORT)/$(UNKNOWN)/$$(PORT)").endEnv()
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef()
                .endValueFrom().endEnv()
                .addNewEnv().withName("URL2").withValue("$(POD_IP)").endEnv()
                .build();
        Map<String, String> env = resolve(container);
        assertEquals(List.of("MODE", "DB_PASSWORD", "PORT", "URL", "POD_IP", "URL2"), List.copyOf(env.keySet()));
        assertEquals("prod", env.get("MODE"));
        assertEquals("s3cr3t", env.get("DB_PASSWORD"));
        assertEquals("8080", env.get("PORT"));
        // POD_IP is defined after URL: its reference stays as written, as in Kubernetes
        assertEquals("http://$(POD_IP):8080/$(UNKNOWN)/$(PORT)", env.get("URL"));
        assertEquals("10.244.0.7", env.get("URL2"));
    }

    @Test
    void fieldAndResourceReferences() throws Exception {
        Container container = new ContainerBuilder().withName("app")
                .withNewResources().addToLimits("memory", new Quantity("64Mi")).addToRequests("cpu", new Quantity("250m")).endResources()
                .addNewEnv().withName("NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['app']").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("HOST").withNewValueFrom().withNewFieldRef().withFieldPath("status.hostIP").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("MEM_MI").withNewValueFrom().withNewResourceFieldRef().withResource("limits.memory")
                        .withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_REQ").withNewValueFrom().withNewResourceFieldRef().withResource("requests.cpu")
                        .withDivisor(new Quantity("1m")).endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_LIMIT").withNewValueFrom().withNewResourceFieldRef().withResource("limits.cpu")
                        .endResourceFieldRef().endValueFrom().endEnv()
                .build();
        Map<String, String> env = resolve(container);
        assertEquals("web", env.get("NAME"));
        assertEquals("shop", env.get("NS"));
        assertEquals("web", env.get("APP"));
        assertEquals("node-a", env.get("NODE"));
        assertEquals("192.168.1.2", env.get("HOST"));
        assertEquals("64", env.get("MEM_MI"));
        assertEquals("250", env.get("CPU_REQ"));
        assertEquals("2", env.get("CPU_LIMIT"), "no limit: the node's allocatable, rounded up to whole CPUs");
    }

    @Test
    void missingReferencesAreConfigErrorsUnlessOptional() throws Exception {
        Container missingMap = new ContainerBuilder().withName("app").addNewEnv().withName("X").withNewValueFrom()
                .withNewConfigMapKeyRef().withName("nope").withKey("k").endConfigMapKeyRef().endValueFrom().endEnv().build();
        ConfigError error = assertThrows(ConfigError.class, () -> resolve(missingMap));
        assertEquals("CreateContainerConfigError", error.reason());
        assertEquals("configmap \"nope\" not found", error.getMessage());

        configMaps.put("shop/present", new ConfigMapBuilder().addToData("a", "1").build());
        Container missingKey = new ContainerBuilder().withName("app").addNewEnv().withName("X").withNewValueFrom()
                .withNewConfigMapKeyRef().withName("present").withKey("b").endConfigMapKeyRef().endValueFrom().endEnv().build();
        assertEquals("couldn't find key b in ConfigMap shop/present", assertThrows(ConfigError.class, () -> resolve(missingKey)).getMessage());

        Container optional = new ContainerBuilder().withName("app").addNewEnv().withName("X").withNewValueFrom()
                .withNewSecretKeyRef().withName("nope").withKey("k").withOptional(true).endSecretKeyRef().endValueFrom().endEnv()
                .addNewEnvFrom().withNewSecretRef().withName("nope").withOptional(true).endSecretRef().endEnvFrom().build();
        assertEquals(Map.of(), resolve(optional));

        Container missingSecret = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withNewSecretRef().withName("creds").endSecretRef().endEnvFrom().build();
        assertEquals("secret \"creds\" not found", assertThrows(ConfigError.class, () -> resolve(missingSecret)).getMessage());
    }

    @Test
    void commandAndArgumentsExpandFromTheEnvironment() {
        List<ContainerConfig.EnvVar> env = List.of(new ContainerConfig.EnvVar("GREETING", "hello"));
        assertEquals(List.of("echo", "hello world", "$(MISSING)", "$(GREETING)"),
                EnvResolver.expandAll(List.of("echo", "$(GREETING) world", "$(MISSING)", "$$(GREETING)"), env));
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ObjectRulesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ResourceTypes types = ResourceTypes.builtIn();

    /** The tutorial's nginx.yml: extensions/v1beta1, no selector. */
    private ObjectNode tutorialDeployment() throws Exception {
        return (ObjectNode) json.readTree("""
                {"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"nginx-deployment"},
                 "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"nginx"}},
                 "spec":{"containers":[{"name":"nginx","image":"nginx:1.7.9","ports":[{"containerPort":80}]}]}}}}
                """);
    }

    @Test
    void legacyDeploymentsBecomeAppsV1WithTheSelectorOfTheirTemplate() throws Exception {
        ResourceType type = types.byKind("extensions/v1beta1", "Deployment").orElseThrow();
        assertEquals("apps/v1", type.apiVersion());
        ObjectNode deployment = tutorialDeployment();
        ObjectRules.upgradeLegacy(type, deployment);
        ObjectRules.applyDefaults(type, deployment);
        assertEquals("apps/v1", deployment.path("apiVersion").asText());
        assertEquals(json.readTree("{\"matchLabels\":{\"app\":\"nginx\"}}"), deployment.path("spec").path("selector"));
        assertEquals("RollingUpdate", deployment.path("spec").path("strategy").path("type").asText());
        assertEquals("IfNotPresent", deployment.at("/spec/template/spec/containers/0/imagePullPolicy").asText());
        assertEquals("TCP", deployment.at("/spec/template/spec/containers/0/ports/0/protocol").asText());
        assertEquals(List.of(), ObjectRules.validate(type, deployment));
    }

    @Test
    void invalidObjectsGetFieldCauses() throws Exception {
        ResourceType deployments = types.byResource("apps", "v1", "deployments").orElseThrow();
        ObjectNode deployment = tutorialDeployment();
        deployment.put("apiVersion", "apps/v1");
        deployment.with("metadata").put("name", "Bad_Name");
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).remove("image");
        List<ApiException.Cause> causes = ObjectRules.validate(deployments, deployment);
        List<String> fields = causes.stream().map(ApiException.Cause::field).toList();
        assertTrue(fields.contains("metadata.name"), fields.toString());
        assertTrue(fields.contains("spec.selector"), fields.toString());
        assertTrue(fields.contains("spec.template.spec.containers[0].image"), fields.toString());
        ApiException invalid = ApiException.invalid(deployments, "Bad_Name", causes);
        assertEquals(422, invalid.code());
        assertEquals("Invalid", invalid.toStatus().path("reason").asText());
        assertEquals(causes.size(), invalid.toStatus().path("details").path("causes").size());
        assertTrue(invalid.getMessage().startsWith("Deployment.apps \"Bad_Name\" is invalid: metadata.name: Invalid value"), invalid.getMessage());
    }

    @Test
    void pullPolicyFollowsTheTag() {
        assertEquals("Always", ObjectRules.pullPolicy("nginx"));
        assertEquals("Always", ObjectRules.pullPolicy("nginx:latest"));
        assertEquals("IfNotPresent", ObjectRules.pullPolicy("localhost:5000/nginx:1.7.9"));
        assertEquals("Always", ObjectRules.pullPolicy("localhost:5000/nginx"));
        assertEquals("IfNotPresent", ObjectRules.pullPolicy("nginx@sha256:abc"));
    }
}

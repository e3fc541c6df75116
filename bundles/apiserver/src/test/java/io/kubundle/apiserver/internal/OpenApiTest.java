package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class OpenApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ObjectNode> DOCUMENTS = OpenApiGenerator.documents(ResourceTypes.builtIn());

    @Test
    void podSchemaHasContainersAsAnArrayOfContainer() {
        JsonNode schemas = DOCUMENTS.get("api/v1").path("components").path("schemas");
        JsonNode pod = schemas.path("io.k8s.api.core.v1.Pod");
        assertEquals("Pod", pod.at("/x-kubernetes-group-version-kind/0/kind").asText());
        assertEquals("#/components/schemas/io.k8s.api.core.v1.PodSpec", pod.at("/properties/spec/$ref").asText());
        assertEquals("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", pod.at("/properties/metadata/$ref").asText());
        JsonNode containers = schemas.at("/io.k8s.api.core.v1.PodSpec/properties/containers");
        assertEquals("array", containers.path("type").asText());
        assertEquals("#/components/schemas/io.k8s.api.core.v1.Container", containers.at("/items/$ref").asText());
        JsonNode container = schemas.path("io.k8s.api.core.v1.Container").path("properties");
        assertEquals("string", container.at("/name/type").asText());
        assertEquals("string", container.at("/image/type").asText());
        assertEquals("int32", schemas.at("/io.k8s.api.core.v1.ContainerPort/properties/containerPort/format").asText());
        assertEquals("string", schemas.at("/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/labels/additionalProperties/type").asText());
        assertEquals("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                schemas.at("/io.k8s.api.core.v1.ServicePort/properties/targetPort/$ref").asText());
        assertTrue(schemas.at("/io.k8s.apimachinery.pkg.util.intstr.IntOrString/x-kubernetes-int-or-string").asBoolean());
        assertTrue(schemas.at("/io.k8s.apimachinery.pkg.api.resource.Quantity/x-kubernetes-int-or-string").asBoolean());
    }

    @Test
    void everyTypeHasPathsWithFieldValidation() {
        for (ResourceType type : ResourceTypes.builtIn().all()) {
            String gv = type.group().isEmpty() ? "api/v1" : "apis/" + type.apiVersion();
            ObjectNode document = DOCUMENTS.get(gv);
            assertNotNull(document, gv);
            String collection = "/" + gv + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + type.plural();
            JsonNode item = document.path("paths").path(collection + "/{name}");
            for (String method : new String[] {"put", "patch"}) {
                JsonNode op = item.path(method);
                assertEquals(type.kind(), op.at("/x-kubernetes-group-version-kind/kind").asText(), collection + " " + method);
                assertTrue(hasQueryParameter(op, "fieldValidation"), collection + " " + method);
                assertTrue(hasQueryParameter(op, "dryRun"), collection + " " + method);
            }
            assertTrue(hasQueryParameter(document.path("paths").path(collection).path("post"), "fieldValidation"), collection);
            boolean found = false;
            for (JsonNode schema : document.path("components").path("schemas")) {
                for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
                    found |= gvk.path("kind").asText().equals(type.kind()) && gvk.path("group").asText().equals(type.group());
                }
            }
            assertTrue(found, type.kind());
        }
    }

    @Test
    void legacyVersionsCarryTheirOwnGroupVersionKind() {
        JsonNode patch = DOCUMENTS.get("apis/extensions/v1beta1").at("/paths/~1apis~1extensions~1v1beta1~1namespaces~1{namespace}~1deployments~1{name}/patch");
        assertEquals("extensions", patch.at("/x-kubernetes-group-version-kind/group").asText());
        assertEquals("v1beta1", patch.at("/x-kubernetes-group-version-kind/version").asText());
        assertTrue(hasQueryParameter(patch, "fieldValidation"));
    }

    @Test
    void servesTheGeneratedDocumentsWithHashes() throws Exception {
        OpenApi openApi = new OpenApi();
        JsonNode root = JSON.readTree(openApi.root());
        String url = root.at("/paths/apis~1apps~1v1/serverRelativeURL").asText();
        assertTrue(url.startsWith("/openapi/v3/apis/apps/v1?hash="), root.toString());
        assertEquals(url, JSON.readTree(new OpenApi().root()).at("/paths/apis~1apps~1v1/serverRelativeURL").asText());
        JsonNode apps = JSON.readTree(openApi.document("apis/apps/v1"));
        assertEquals("3.0.0", apps.path("openapi").asText());
        assertTrue(apps.at("/components/schemas/io.k8s.api.apps.v1.Deployment").isObject());
        assertNull(openApi.document("apis/nope/v1"));
    }

    @Test
    void strictFieldValidationNamesUnknownFields() throws Exception {
        OpenApi openApi = new OpenApi();
        ResourceType deployment = ResourceTypes.builtIn().byKind("apps/v1", "Deployment").orElseThrow();
        JsonNode good = JSON.readTree("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"x":"y"}},
                 "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
                 "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],
                 "resources":{"limits":{"cpu":"1"}}}]}}}}""");
        assertEquals(java.util.List.of(), openApi.unknownFields(deployment, good));
        assertEquals(java.util.List.of(), openApi.checkFields(deployment, good, null, "Strict"));
        ObjectNode bad = good.deepCopy();
        ((ObjectNode) bad.get("spec")).put("foo", 1);
        ((ObjectNode) bad.at("/spec/template/spec/containers/0")).put("imagee", "x");
        assertEquals(java.util.List.of("spec.template.spec.containers[0].imagee", "spec.foo"), openApi.unknownFields(deployment, bad));
        assertEquals(java.util.List.of(), openApi.checkFields(deployment, bad, null, "Ignore"));
        assertEquals(java.util.List.of(), openApi.checkFields(deployment, bad, null, null));
        assertEquals(java.util.List.of("unknown field \"spec.template.spec.containers[0].imagee\"", "unknown field \"spec.foo\""),
                openApi.checkFields(deployment, bad, null, "Warn"));
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> openApi.checkFields(deployment, bad, null, "Strict"));
        assertEquals(400, e.code());
        assertEquals("strict decoding error: unknown field \"spec.template.spec.containers[0].imagee\", unknown field \"spec.foo\"",
                e.getMessage());

        // a patch answers only for the unknown fields it brings: those already stored are not its doing
        ObjectNode patched = bad.deepCopy();
        ((ObjectNode) patched.get("metadata")).put("nope", true);
        ApiException patch = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> openApi.checkFields(deployment, patched, bad, "Strict"));
        assertEquals("strict decoding error: unknown field \"metadata.nope\"", patch.getMessage());
        assertEquals(java.util.List.of(), openApi.checkFields(deployment, bad, bad, "Strict"));
    }

    private static boolean hasQueryParameter(JsonNode operation, String name) {
        for (JsonNode parameter : operation.path("parameters")) {
            if (parameter.path("name").asText().equals(name) && parameter.path("in").asText().equals("query")) {
                return true;
            }
        }
        return false;
    }
}

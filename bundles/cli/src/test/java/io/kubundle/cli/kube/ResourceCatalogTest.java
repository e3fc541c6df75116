package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ResourceCatalogTest {
    /** A canned discovery tree: the core group, apps (with a legacy version) and extensions. */
    private static final Map<String, String> DISCOVERY = Map.of(
            "/api", """
                    {"kind":"APIVersions","versions":["v1"]}""",
            "/api/v1", """
                    {"kind":"APIResourceList","groupVersion":"v1","resources":[
                      {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","shortNames":["ns"]},
                      {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","shortNames":["po"]},
                      {"name":"pods/status","singularName":"","namespaced":true,"kind":"Pod"},
                      {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","shortNames":["cm"]},
                      {"name":"events","singularName":"event","namespaced":true,"kind":"Event","shortNames":["ev"]}]}""",
            "/apis", """
                    {"kind":"APIGroupList","groups":[
                      {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"},{"groupVersion":"apps/v1beta1","version":"v1beta1"}],
                       "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
                      {"name":"events.k8s.io","versions":[{"groupVersion":"events.k8s.io/v1","version":"v1"}],
                       "preferredVersion":{"groupVersion":"events.k8s.io/v1","version":"v1"}},
                      {"name":"extensions","versions":[{"groupVersion":"extensions/v1beta1","version":"v1beta1"}],
                       "preferredVersion":{"groupVersion":"extensions/v1beta1","version":"v1beta1"}}]}""",
            "/apis/apps/v1", """
                    {"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
                      {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","shortNames":["deploy"]},
                      {"name":"deployments/scale","singularName":"","namespaced":true,"kind":"Scale"}]}""",
            "/apis/apps/v1beta1", """
                    {"kind":"APIResourceList","groupVersion":"apps/v1beta1","resources":[
                      {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment"}]}""",
            "/apis/events.k8s.io/v1", """
                    {"kind":"APIResourceList","groupVersion":"events.k8s.io/v1","resources":[
                      {"name":"events","singularName":"event","namespaced":true,"kind":"Event","shortNames":["ev"]}]}""",
            "/apis/extensions/v1beta1", """
                    {"kind":"APIResourceList","groupVersion":"extensions/v1beta1","resources":[
                      {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment"}]}""");

    static ResourceCatalog catalog;

    @BeforeAll
    static void discover() throws Exception {
        ObjectMapper json = new ObjectMapper();
        catalog = ResourceCatalog.discover(path -> {
            String body = DISCOVERY.get(path);
            if (body == null) {
                throw new AssertionError("unexpected request for " + path);
            }
            return json.readTree(body);
        });
    }

    @ParameterizedTest
    @CsvSource({"po, v1, pods", "pods, v1, pods", "pod, v1, pods", "Pod, v1, pods", "PODS, v1, pods", "ns, v1, namespaces",
        "cm, v1, configmaps", "deploy, apps/v1, deployments", "deployments, apps/v1, deployments",
        "Deployment, apps/v1, deployments", "deployments.apps, apps/v1, deployments", "deploy.apps, apps/v1, deployments",
        "deployments.v1beta1.apps, apps/v1beta1, deployments", "deployments.extensions, extensions/v1beta1, deployments",
        "events, v1, events", "events.events.k8s.io, events.k8s.io/v1, events"})
    void resolvesEveryName(String name, String apiVersion, String plural) throws Exception {
        ApiResource resource = catalog.resolve(name);
        assertEquals(apiVersion, resource.apiVersion());
        assertEquals(plural, resource.plural());
    }

    @Test
    void subresourcesAreNotTypes() {
        assertEquals(List.of("namespaces", "pods", "configmaps", "events", "deployments", "deployments", "events", "deployments"),
                catalog.all().stream().map(ApiResource::plural).toList());
    }

    @Test
    void unknownTypesSaySo() {
        CommandException e = assertThrows(CommandException.class, () -> catalog.resolve("foo"));
        assertEquals("the server doesn't have a resource type \"foo\"", e.getMessage());
        assertThrows(CommandException.class, () -> catalog.resolve("deployments.batch"));
    }

    @Test
    void manifestsMapByApiVersionAndKind() throws Exception {
        assertEquals("extensions/v1beta1", catalog.forKind("extensions/v1beta1", "Deployment").apiVersion());
        assertEquals("pods", catalog.forKind("v1", "Pod").plural());
        CommandException e = assertThrows(CommandException.class, () -> catalog.forKind("batch/v1", "Job"));
        assertEquals("no matches for kind \"Job\" in version \"batch/v1\"", e.getMessage());
    }

    @Test
    void namesForOutput() throws Exception {
        ApiResource deployments = catalog.resolve("deploy");
        assertEquals("deployment.apps", deployments.kindAndGroup());
        assertEquals("deployments.apps", deployments.pluralAndGroup());
        assertEquals("pod/web", catalog.resolve("po").objectName("web"));
        JsonNode object = new ObjectMapper().readTree("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"n\"}}");
        assertEquals("deployment.apps/n", ApiResource.objectNameOf(object));
    }

    @Test
    void targetsInEveryForm() throws Exception {
        assertEquals(List.of("deployments:null", "pods:null"), show(Target.parse(List.of("deploy,pods"), catalog)));
        assertEquals(List.of("pods:a", "pods:b"), show(Target.parse(List.of("po", "a", "b"), catalog)));
        assertEquals(List.of("pods:a", "deployments:b"), show(Target.parse(List.of("pod/a", "deployments.apps/b"), catalog)));
        assertEquals(List.of("pods:a", "configmaps:a"), show(Target.parse(List.of("po,cm", "a"), catalog)));
        assertThrows(CommandException.class, () -> Target.parse(List.of("pod/a", "b"), catalog));
        assertThrows(CommandException.class, () -> Target.parse(List.of("pod", "cm/b"), catalog));
        assertThrows(CommandException.class, () -> Target.parse(List.of(), catalog));
    }

    private static List<String> show(List<Target> targets) {
        return targets.stream().map(t -> t.resource().plural() + ":" + t.name()).toList();
    }
}

package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ExplainerTest {
    private static final String DOCUMENT = """
            {"components":{"schemas":{
              "io.k8s.api.apps.v1.Deployment":{"type":"object","description":"Deployment enables declarative updates.",
                "x-kubernetes-group-version-kind":[{"group":"apps","kind":"Deployment","version":"v1"}],
                "properties":{"spec":{"$ref":"#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"},
                              "kind":{"type":"string","description":""}}},
              "io.k8s.api.apps.v1.DeploymentSpec":{"type":"object","description":"",
                "properties":{"replicas":{"type":"integer","description":"Number of pods."},
                              "selector":{"type":"object","additionalProperties":{"type":"string"}},
                              "containers":{"type":"array","items":{"$ref":"#/components/schemas/io.k8s.api.core.v1.Container"}},
                              "port":{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}}},
              "io.k8s.api.core.v1.Container":{"type":"object","properties":{"image":{"type":"string"}}},
              "io.k8s.apimachinery.pkg.util.intstr.IntOrString":{"type":"string","format":"int-or-string"}}}}
            """;
    private static final ApiResource DEPLOYMENTS = new ApiResource("apps", "v1", "deployments", "deployment", "Deployment",
            true, List.of("deploy"));

    @Test
    void theResourceAndItsFields() throws Exception {
        Explainer explainer = new Explainer(new ObjectMapper().readTree(DOCUMENT));
        assertEquals("""
                GROUP:      apps
                KIND:       Deployment
                VERSION:    v1

                DESCRIPTION:
                    Deployment enables declarative updates.
                FIELDS:
                  kind\t<string>
                    <no description>

                  spec\t<DeploymentSpec>
                    <no description>


                """, explainer.explain(DEPLOYMENTS, List.of()));
        assertEquals("""
                GROUP:      apps
                KIND:       Deployment
                VERSION:    v1

                FIELD: replicas <integer>


                DESCRIPTION:
                    Number of pods.

                """, explainer.explain(DEPLOYMENTS, List.of("spec", "replicas")));
        String spec = explainer.explain(DEPLOYMENTS, List.of("spec"));
        for (String field : List.of("  containers\t<[]Container>", "  port\t<IntOrString>", "  selector\t<map[string]string>")) {
            assertEquals(true, spec.contains(field), spec);
        }
        assertEquals(true, explainer.explain(DEPLOYMENTS, List.of("spec", "containers")).contains("  image\t<string>"));
        assertEquals("field \"nope\" does not exist",
                assertThrows(CommandException.class, () -> explainer.explain(DEPLOYMENTS, List.of("spec", "nope"))).getMessage());
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.apiserver.internal.ManagedFields.Scope;
import io.kubundle.apiserver.internal.ManagedFields.Writer;

class ManagedFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Scope SCOPE = Scope.WITHOUT_STATUS;

    private static ObjectNode tree(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    }

    private static String deployment(int replicas, String labels) {
        return "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{" + labels + "}},"
                + "'spec':{'replicas':" + replicas + ",'selector':{'matchLabels':{'app':'web'}},"
                + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'nginx:1.27'}]}}}}";
    }

    /** What Resources does for an apply: merge, then record on the object about to be written. */
    private static ObjectNode apply(ObjectNode live, String config, String manager, boolean force) throws Exception {
        ObjectNode applied = tree(config);
        ObjectNode next = ManagedFields.merge(live, applied, manager, null, SCOPE);
        ManagedFields.record(live, next, Writer.apply(manager, applied, force), "apps/v1", null, SCOPE);
        return next;
    }

    private static ObjectNode update(ObjectNode live, ObjectNode next, String manager, String subresource) throws Exception {
        ManagedFields.record(live, next, Writer.update(manager), "apps/v1", subresource, SCOPE);
        return next;
    }

    /** An update of {@code live} that sets the replicas. */
    private static ObjectNode scale(ObjectNode live, int replicas, String manager, String subresource) throws Exception {
        ObjectNode next = live.deepCopy();
        next.with("spec").put("replicas", replicas);
        return update(live, next, manager, subresource);
    }

    private static JsonNode entry(ObjectNode object, String manager, String operation) {
        for (JsonNode entry : object.at("/metadata/managedFields")) {
            if (entry.path("manager").asText().equals(manager) && entry.path("operation").asText().equals(operation)) {
                return entry;
            }
        }
        return JSON.missingNode();
    }

    @Test
    void fieldsV1UsesKubernetesEncoding() throws Exception {
        ObjectNode pod = tree("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'n','uid':'u',"
                + "'labels':{'app':'web'},'finalizers':['a','b']},'spec':{'containers':[{'name':'web','image':'nginx',"
                + "'args':['-x'],'ports':[{'containerPort':80}],'env':[{'name':'A','value':'1'}],'resources':{}}]},"
                + "'status':{'phase':'Running'}}");
        Set<List<String>> fields = ManagedFields.walk(pod, SCOPE).members;
        ObjectNode encoded = ManagedFields.toFieldsV1(fields);
        String container = "k:{\"name\":\"web\"}";
        JsonNode expected = JSON.readTree("""
                {"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:labels":{"f:app":{}}},
                 "f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:args":{},
                   "f:env":{"k:{\\"name\\":\\"A\\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},
                   "f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}},
                   "f:resources":{}}}}}""");
        assertEquals(expected.toString(), encoded.toString(), "the same fields, in Kubernetes' order");
        assertEquals(fields, ManagedFields.fromFieldsV1(encoded), "decoding gives the same set back");
        assertEquals(".spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
                ManagedFields.describe(List.of("f:spec", "f:containers", container,
                        "f:ports", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}", "f:containerPort")));
        assertEquals(".metadata.finalizers[=\"a\"]", ManagedFields.describe(List.of("f:metadata", "f:finalizers", "v:\"a\"")));
        assertThrows(IllegalArgumentException.class, () -> ManagedFields.fromFieldsV1(tree("{'spec':{}}")));
    }

    @Test
    void anApplyThatCreatesOwnsItsConfigurationOnly() throws Exception {
        ObjectNode config = tree(deployment(2, "'tier':'web'"));
        ObjectNode created = ManagedFields.merge(null, config, "kubectl", null, SCOPE);
        // the defaults Resources fills in after the merge are nobody's
        created.with("spec").put("revisionHistoryLimit", 10);
        ManagedFields.record(null, created, Writer.apply("kubectl", config, false), "apps/v1", null, SCOPE);
        JsonNode entry = entry(created, "kubectl", "Apply");
        assertEquals("apps/v1", entry.path("apiVersion").asText());
        assertEquals("FieldsV1", entry.path("fieldsType").asText());
        assertTrue(entry.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), entry.toString());
        JsonNode fields = entry.path("fieldsV1");
        assertTrue(fields.at("/f:spec/f:replicas").isObject());
        assertTrue(fields.at("/f:metadata/f:labels/f:tier").isObject());
        assertTrue(fields.at("/f:metadata/f:name").isMissingNode(), "the server's metadata is nobody's");
        assertTrue(fields.path("f:apiVersion").isMissingNode());
        assertTrue(fields.at("/f:spec/f:revisionHistoryLimit").isMissingNode());
        assertEquals(1, created.at("/metadata/managedFields").size());
    }

    @Test
    void updatesOwnWhatTheyChangeAndTakeItFromOthers() throws Exception {
        ObjectNode live = update(null, tree(deployment(2, "")), "kubectl-create", null);
        assertTrue(entry(live, "kubectl-create", "Update").at("/fieldsV1/f:spec/f:replicas").isObject());
        ObjectNode scaled = scale(live, 5, "kubectl", "scale");
        JsonNode scale = entry(scaled, "kubectl", "Update");
        assertEquals("scale", scale.path("subresource").asText());
        assertEquals(tree("{'f:spec':{'f:replicas':{}}}"), scale.path("fieldsV1"));
        assertTrue(entry(scaled, "kubectl-create", "Update").at("/fieldsV1/f:spec/f:replicas").isMissingNode());

        // a write that changes nothing records nothing new
        ObjectNode same = update(scaled, scaled.deepCopy(), "someone", null);
        assertTrue(entry(same, "someone", "Update").isMissingNode());
        assertEquals(scaled.at("/metadata/managedFields"), same.at("/metadata/managedFields"));
    }

    @Test
    void applyMergesAndRemovesWhatItNoLongerSets() throws Exception {
        ObjectNode live = apply(null, deployment(2, "'tier':'web','team':'a'"), "kubectl", false);
        // another manager adds a label and a second container
        ObjectNode edited = live.deepCopy();
        edited.with("metadata").with("labels").put("owner", "ops");
        ((com.fasterxml.jackson.databind.node.ArrayNode) edited.at("/spec/template/spec/containers"))
                .add(tree("{'name':'side','image':'busybox'}"));
        live = update(live, edited, "kubectl-edit", null);

        // the applier leaves out the tier label and changes the image: the rest of the object stays
        String config = deployment(2, "'team':'a'").replace("nginx:1.27", "nginx:1.28");
        ObjectNode next = apply(live, config, "kubectl", false);
        assertEquals(tree("{'app':'web'}").get("app"), next.at("/spec/template/metadata/labels/app"));
        assertEquals(tree("{'team':'a','owner':'ops'}"), next.at("/metadata/labels"));
        assertEquals(2, next.at("/spec/template/spec/containers").size());
        assertEquals("nginx:1.28", next.at("/spec/template/spec/containers/0/image").asText());
        assertTrue(entry(next, "kubectl", "Apply").at("/fieldsV1/f:metadata/f:labels/f:tier").isMissingNode());

        // a field another applier also owns (same value: no conflict) stays when this one drops it
        ObjectNode coOwned = apply(next, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'team':'a'}}}",
                "other", false);
        assertTrue(entry(coOwned, "other", "Apply").at("/fieldsV1/f:metadata/f:labels/f:team").isObject());
        String withoutLabels = deployment(2, "").replace(",'labels':{}", "");
        ObjectNode dropped = apply(coOwned, withoutLabels, "kubectl", false);
        assertEquals(tree("{'team':'a','owner':'ops'}"), dropped.at("/metadata/labels"));
        assertTrue(entry(dropped, "kubectl", "Apply").at("/fieldsV1/f:metadata/f:labels").isMissingNode());

        // once the other applier drops it too, it goes
        ObjectNode gone = apply(dropped, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'}}", "other", false);
        assertEquals(tree("{'owner':'ops'}"), gone.at("/metadata/labels"));
        assertTrue(entry(gone, "other", "Apply").isMissingNode(), "an apply that owns nothing keeps no entry");
    }

    @Test
    void removingTheLastLabelRemovesTheEmptyMap() throws Exception {
        ObjectNode live = apply(null, deployment(1, "'tier':'web'"), "kubectl", false);
        ObjectNode next = apply(live, deployment(1, "").replace(",'labels':{}", ""), "kubectl", false);
        assertTrue(next.at("/metadata/labels").isMissingNode(), next.toString());
    }

    @Test
    void aChangeToAFieldAnotherManagerOwnsConflictsUnlessForced() throws Exception {
        ObjectNode live = scale(apply(null, deployment(2, ""), "kubectl", false), 5, "kubectl-client-side-apply", null);

        ObjectNode before = live;
        ApiException conflict = assertThrows(ApiException.class, () -> apply(before, deployment(3, ""), "kubectl", false));
        assertEquals(409, conflict.code());
        assertEquals("Conflict", conflict.reason());
        assertFalse(conflict.isStaleWrite(), "a conflict of managers is not retried");
        assertEquals("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas",
                conflict.getMessage());
        JsonNode cause = conflict.toStatus().at("/details/causes/0");
        assertEquals("FieldManagerConflict", cause.path("reason").asText());
        assertEquals("conflict with \"kubectl-client-side-apply\" using apps/v1", cause.path("message").asText());
        assertEquals(".spec.replicas", cause.path("field").asText());

        // the same value is no conflict: both own the field
        ObjectNode agreed = apply(live, deployment(5, ""), "kubectl", false);
        assertTrue(entry(agreed, "kubectl", "Apply").at("/fieldsV1/f:spec/f:replicas").isObject());
        assertTrue(entry(agreed, "kubectl-client-side-apply", "Update").at("/fieldsV1/f:spec/f:replicas").isObject());

        ObjectNode forced = apply(live, deployment(3, ""), "kubectl", true);
        assertEquals(3, forced.at("/spec/replicas").asInt());
        assertTrue(entry(forced, "kubectl-client-side-apply", "Update").isMissingNode(), "it owned nothing else");
        assertTrue(entry(forced, "kubectl", "Apply").at("/fieldsV1/f:spec/f:replicas").isObject());
    }

    @Test
    void conflictsWithSeveralManagersAreListedByManager() throws Exception {
        ObjectNode live = scale(apply(null, deployment(2, "'tier':'web'"), "a", false), 4, "b", null);
        ObjectNode next = live.deepCopy();
        next.with("metadata").with("labels").put("tier", "db");
        ObjectNode finalLive = update(live, next, "c", "scale");
        ApiException conflict = assertThrows(ApiException.class, () -> apply(finalLive, deployment(1, "'tier':'x'"), "a", false));
        assertEquals("Apply failed with 2 conflicts: conflicts with \"b\" using apps/v1:\n- .spec.replicas\n"
                + "conflicts with \"c\" with subresource \"scale\" using apps/v1:\n- .metadata.labels.tier", conflict.getMessage());
        assertEquals(2, conflict.toStatus().at("/details/causes").size());
    }

    @Test
    void theFirstApplyToAnObjectWithoutManagedFieldsConflictsWithWhatItHeld() throws Exception {
        ObjectNode old = tree(deployment(2, ""));
        ApiException conflict = assertThrows(ApiException.class, () -> apply(old, deployment(3, ""), "kubectl", false));
        assertEquals("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas",
                conflict.getMessage());
        ObjectNode same = apply(old, deployment(2, ""), "kubectl", false);
        assertTrue(entry(same, "before-first-apply", "Update").isObject());
    }

    @Test
    void kubectlTakesOverFromClientSideApplyUnlessTheObjectDrifted() throws Exception {
        ObjectNode config = tree(deployment(2, ""));
        ObjectNode created = config.deepCopy();
        created.with("metadata").with("annotations").put(ClientSideApply.ANNOTATION, config + "\n");
        ObjectNode live = update(null, created, "kubectl-client-side-apply", null);

        ApiException other = assertThrows(ApiException.class, () -> apply(live, deployment(3, ""), "ci", false));
        assertTrue(other.getMessage().contains("conflict with \"kubectl-client-side-apply\""), other.getMessage());

        ObjectNode taken = apply(live, deployment(3, ""), "kubectl", false);
        assertEquals(3, taken.at("/spec/replicas").asInt());
        JsonNode annotation = JSON.readTree(taken.at("/metadata/annotations").path(ClientSideApply.ANNOTATION).asText());
        assertEquals(3, annotation.at("/spec/replicas").asInt(), "the annotation follows the server-side apply");
        assertTrue(annotation.at("/metadata/annotations").isMissingNode());

        ObjectNode drifted = scale(live, 7, "kubectl", "scale");
        ApiException conflict = assertThrows(ApiException.class, () -> apply(drifted, deployment(3, ""), "kubectl", false));
        assertTrue(conflict.getMessage().contains("with subresource \"scale\""), conflict.getMessage());
    }

    @Test
    void clientsMayResetOrRewriteManagedFieldsButGarbageIsIgnored() throws Exception {
        ObjectNode live = apply(null, deployment(2, ""), "kubectl", false);
        ObjectNode reset = live.deepCopy();
        reset.with("metadata").putArray("managedFields").addObject();
        assertTrue(update(live, reset, "kubectl-patch", null).at("/metadata/managedFields").isMissingNode());

        ObjectNode garbage = live.deepCopy();
        garbage.with("metadata").putArray("managedFields").addObject().put("operation", "Delete");
        assertEquals(live.at("/metadata/managedFields"), update(live, garbage, "kubectl-patch", null).at("/metadata/managedFields"));

        ObjectNode rewritten = live.deepCopy();
        ((ObjectNode) rewritten.at("/metadata/managedFields/0")).put("manager", "renamed");
        assertEquals("renamed", update(live, rewritten, "kubectl-patch", null).at("/metadata/managedFields/0/manager").asText());

        // an update of a subresource keeps the live entries whatever it sends
        ObjectNode status = reset.deepCopy();
        assertEquals(live.at("/metadata/managedFields"), update(live, status, "kubelet", "status").at("/metadata/managedFields"));
    }

    @Test
    void theManagerComesFromTheUserAgent() {
        assertEquals("kubectl", ManagedFields.managerFromUserAgent("kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9"));
        assertEquals("fabric8-kubernetes-client", ManagedFields.managerFromUserAgent("fabric8-kubernetes-client/7.5.0"));
        assertEquals("", ManagedFields.managerFromUserAgent(null));
        assertEquals("ab", ManagedFields.managerFromUserAgent("a\u0001b"));
        assertEquals(128, ManagedFields.managerFromUserAgent("x".repeat(300)).length());
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.api.admission.AdmissionRequest;

/** A Job's selector and pod labels, generated on create from its uid as Kubernetes' API server does. */
class JobRulesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ResourceTypes types = ResourceTypes.builtIn();
    private final ResourceType jobs = types.byResource("batch", "v1", "jobs").orElseThrow();
    private final MemoryStore store = new MemoryStore();
    /** As in a running server, an admission chain is there (with no hooks): admitting copies the object's tree. */
    private final AdmissionChain noHooks = new AdmissionChain() {
        @Override
        public void admit(AdmissionRequest request) {
        }

        @Override
        public void validate(AdmissionRequest request) {
        }

        @Override
        public List<String> hookNames() {
            return List.of();
        }
    };
    private final Resources resources = new Resources(new ObjectStorage(json, () -> store), types, json, () -> noHooks,
            Runnable::run);

    @BeforeEach
    void namespaces() throws ApiException {
        resources.ensureInitialNamespaces();
    }

    private ObjectNode job(String restartPolicy) {
        ObjectNode job = json.createObjectNode().put("apiVersion", "batch/v1").put("kind", "Job");
        job.putObject("metadata").put("name", "pi");
        ObjectNode template = job.putObject("spec").putObject("template");
        template.putObject("metadata").putObject("labels").put("app", "pi");
        ObjectNode podSpec = template.putObject("spec");
        if (restartPolicy != null) {
            podSpec.put("restartPolicy", restartPolicy);
        }
        podSpec.putArray("containers").addObject().put("name", "pi").put("image", "perl");
        return job;
    }

    private List<String> causeFields(ApiException e) {
        return e.causes().stream().map(ApiException.Cause::field).toList();
    }

    @Test
    void aJobSelectsItsPodsByItsUidAndTheTemplateCarriesItsLabels() throws Exception {
        ObjectNode created = resources.create(jobs, "default", job("Never"), "tester", null);
        String uid = created.at("/metadata/uid").asText();
        assertEquals(36, uid.length(), uid);
        assertEquals(json.createObjectNode().put("batch.kubernetes.io/controller-uid", uid), created.at("/spec/selector/matchLabels"));
        ObjectNode labels = (ObjectNode) created.at("/spec/template/metadata/labels");
        assertEquals("pi", labels.path("app").asText(), "the user's labels stay");
        assertEquals(uid, labels.path("batch.kubernetes.io/controller-uid").asText());
        assertEquals(uid, labels.path("controller-uid").asText());
        assertEquals("pi", labels.path("batch.kubernetes.io/job-name").asText());
        assertEquals("pi", labels.path("job-name").asText());
    }

    @Test
    void aUidSentByTheClientIsNotKept() throws Exception {
        ObjectNode job = job("Never");
        job.with("metadata").put("uid", "chosen-by-the-client");
        ObjectNode created = resources.create(jobs, "default", job, "tester", null);
        assertTrue(!created.at("/metadata/uid").asText().equals("chosen-by-the-client"));
    }

    @Test
    void aSelectorThatWasNotGeneratedIsRefused() {
        ObjectNode job = job("Never");
        job.with("spec").putObject("selector").putObject("matchLabels").put("app", "pi");
        ApiException e = assertThrows(ApiException.class, () -> resources.create(jobs, "default", job, "tester", null));
        assertEquals(422, e.code());
        assertEquals(List.of("spec.selector"), causeFields(e));
        assertTrue(e.causes().get(0).message().contains("`selector` not auto-generated"), e.causes().toString());
    }

    @Test
    void aManualSelectorMustMatchTheTemplate() throws Exception {
        ObjectNode job = job("OnFailure");
        job.with("spec").put("manualSelector", true).putObject("selector").putObject("matchLabels").put("app", "other");
        ApiException e = assertThrows(ApiException.class, () -> resources.create(jobs, "default", job, "tester", null));
        assertEquals(List.of("spec.template.metadata.labels"), causeFields(e));

        ((ObjectNode) job.at("/spec/selector/matchLabels")).put("app", "pi");
        ObjectNode created = resources.create(jobs, "default", job, "tester", null);
        assertEquals(json.createObjectNode().put("app", "pi"), created.at("/spec/selector/matchLabels"), "nothing generated");
        assertTrue(created.at("/spec/template/metadata/labels").path("job-name").isMissingNode());
    }

    @Test
    void aJobMustSayWhetherItsPodsRestartOnFailure() {
        for (String policy : new String[] { null, "Always" }) {
            ApiException e = assertThrows(ApiException.class, () -> resources.create(jobs, "default", job(policy), "tester", null));
            assertEquals(List.of("spec.template.spec.restartPolicy"), causeFields(e));
            assertTrue(e.causes().get(0).message().contains("supported values: \"OnFailure\", \"Never\""), e.causes().toString());
        }
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

/** Accept headers as kubectl, client-go and fabric8 send them, and what the handler answers. */
class ContentNegotiationTest {
    private static final String KUBECTL_DISCOVERY = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
            + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    private static final String KUBECTL_GET = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private static final String CLIENT_GO = "application/vnd.kubernetes.protobuf,application/json";
    private static final List<String> READ = List.of(MediaTypes.JSON, MediaTypes.PROTOBUF, MediaTypes.TABLE_JSON);

    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void theFirstAcceptableOfferWins() {
        assertEquals(MediaTypes.TABLE_JSON, MediaTypes.choose(KUBECTL_GET, READ));
        assertEquals(MediaTypes.PROTOBUF, MediaTypes.choose(CLIENT_GO, READ));
        assertEquals(MediaTypes.JSON, MediaTypes.choose("application/json, */*", READ));
        assertEquals(MediaTypes.JSON, MediaTypes.choose("*/*", READ));
        assertEquals(MediaTypes.JSON, MediaTypes.choose("", READ), "no Accept header takes anything");
        assertEquals(MediaTypes.TABLE_JSON, MediaTypes.choose("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
                + KUBECTL_GET, READ), "there is no protobuf Table: the next range is taken");
        assertEquals(MediaTypes.JSON, MediaTypes.choose("application/vnd.kubernetes.protobuf;q=0.5,application/json", READ),
                "quality before order");
        assertNull(MediaTypes.choose("application/yaml", READ));
        assertTrue(MediaTypes.acceptsJson(CLIENT_GO));
        assertFalse(MediaTypes.acceptsJson(MediaTypes.PROTOBUF));
    }

    private ApiHandler handler() {
        ObjectStorage storage = new ObjectStorage(json, () -> null);
        AccessControl access = new AccessControl();
        @SuppressWarnings("unchecked")
        ServiceReference<Authorizer> reference = (ServiceReference<Authorizer>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] { ServiceReference.class }, (proxy, method, args) -> 0);
        access.addAuthorizer(reference, attributes -> Decision.ALLOW);
        return new ApiHandler(ResourceTypes.builtIn(), new Resources(storage, ResourceTypes.builtIn(), json, () -> null, Runnable::run),
                json, new BodyDecoder(), timers, "127.0.0.1:6443", "test", access, null, null);
    }

    private ApiResponse get(String path, String accept) {
        Map<String, String> headers = accept == null ? Map.of() : Map.of("Accept", accept);
        return handler().handle(ApiRequest.of("GET", path, headers::get, new byte[0]), UserInfo.anonymous(), null);
    }

    @Test
    void kubectlGetsAggregatedDiscovery() throws Exception {
        ApiResponse apis = get("/apis", KUBECTL_DISCOVERY);
        assertEquals("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", apis.contentType());
        JsonNode list = json.readTree(apis.body());
        assertEquals("APIGroupDiscoveryList", list.path("kind").asText());
        assertEquals("apidiscovery.k8s.io/v2", list.path("apiVersion").asText());

        ApiResponse v2beta1 = get("/api", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
        assertEquals("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", v2beta1.contentType());
        JsonNode core = json.readTree(v2beta1.body());
        assertEquals("apidiscovery.k8s.io/v2beta1", core.path("apiVersion").asText());
        assertEquals("v1", core.at("/items/0/versions/0/version").asText());

        ApiResponse plain = get("/apis", "application/json, */*");
        assertEquals("application/json", plain.contentType());
        assertEquals("APIGroupList", json.readTree(plain.body()).path("kind").asText());
    }

    @Test
    void protobufDiscoveryAndErrors() throws Exception {
        ApiResponse groups = get("/apis", CLIENT_GO);
        assertEquals(MediaTypes.PROTOBUF, groups.contentType());
        Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(groups.body(), 4, groups.body().length));
        assertTrue(Meta.APIGroupList.parseFrom(unknown.getRaw()).getGroupsList().stream().anyMatch(g -> g.getName().equals("apps")));

        ApiResponse missing = get("/apis/nosuch.example.com", CLIENT_GO);
        assertEquals(404, missing.status());
        assertEquals(MediaTypes.PROTOBUF, missing.contentType());
        unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(missing.body(), 4, missing.body().length));
        assertEquals("Status", unknown.getTypeMeta().getKind());
        assertEquals(404, Meta.Status.parseFrom(unknown.getRaw()).getCode());

        assertEquals("application/json", get("/apis/nosuch.example.com", KUBECTL_GET).contentType());
    }

    @Test
    void openApiV2IsJsonAndItsProtobufFormIsNotAcceptable() throws Exception {
        // the document is made at build time into target/classes; without it (an IDE run) there is nothing to check
        if (OpenApi.class.getClassLoader().getResource(OpenApi.V2) == null) {
            return;
        }
        ApiResponse document = get("/openapi/v2", "application/json");
        assertEquals(200, document.status());
        JsonNode swagger = json.readTree(document.body());
        assertEquals("2.0", swagger.path("swagger").asText());
        assertEquals(406, get("/openapi/v2", OpenApi.V2_PROTOBUF).status());
        assertEquals(200, get("/openapi/v2", null).status());
    }

    @Test
    void aggregatedDiscoveryDescribesEveryResource() {
        Discovery discovery = new Discovery(ResourceTypes.builtIn());
        JsonNode core = discovery.aggregated(true, "apidiscovery.k8s.io/v2");
        assertEquals(1, core.path("items").size());
        JsonNode v1 = core.at("/items/0/versions/0");
        assertEquals("Current", v1.path("freshness").asText());
        JsonNode pods = null;
        for (JsonNode resource : v1.path("resources")) {
            if (resource.path("resource").asText().equals("pods")) {
                pods = resource;
            }
        }
        assertEquals("Namespaced", pods.path("scope").asText());
        assertEquals("pod", pods.path("singularResource").asText());
        assertEquals("po", pods.at("/shortNames/0").asText());
        assertEquals("all", pods.at("/categories/0").asText());
        assertEquals("Pod", pods.at("/responseKind/kind").asText());
        assertEquals("", pods.at("/responseKind/group").asText());
        Set<String> subresources = new HashSet<>();
        pods.path("subresources").forEach(s -> subresources.add(s.path("subresource").asText() + ":"
                + s.at("/responseKind/group").asText() + "/" + s.at("/responseKind/kind").asText()));
        assertEquals(Set.of("status:/Pod", "binding:/Binding", "eviction:policy/Eviction", "log:/Pod", "exec:/PodExecOptions",
                "attach:/PodAttachOptions", "portforward:/PodPortForwardOptions"), subresources);

        JsonNode groups = discovery.aggregated(false, "apidiscovery.k8s.io/v2");
        JsonNode apps = groups.at("/items/0");
        assertEquals("apps", apps.at("/metadata/name").asText());
        assertEquals("v1", apps.at("/versions/0/version").asText(), "the preferred version first");
        JsonNode extensions = groups.path("items").get(groups.path("items").size() - 1);
        assertEquals("extensions", extensions.at("/metadata/name").asText());
        JsonNode deployments = extensions.at("/versions/0/resources/0");
        assertEquals("Deployment", deployments.at("/responseKind/kind").asText());
        assertEquals("v1beta1", deployments.at("/responseKind/version").asText());
        assertTrue(deployments.path("shortNames").isMissingNode(), "no short names on legacy versions");
        JsonNode scale = null;
        for (JsonNode subresource : groups.at("/items/0/versions/0/resources/0/subresources")) {
            if (subresource.path("subresource").asText().equals("scale")) {
                scale = subresource;
            }
        }
        assertEquals("autoscaling", scale.at("/responseKind/group").asText());
        assertArrayEquals(new String[] { "get", "patch", "update" },
                json.convertValue(scale.path("verbs"), String[].class));
    }
}

package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;

import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Coordination;

class ProtobufBodiesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ProtobufBodies bodies = new ProtobufBodies();

    private JsonNode tree(String text) throws Exception {
        return json.readTree(text.replace('\'', '"'));
    }

    /** What kubectl sends: the magic, then a runtime.Unknown around the typed message. */
    private static byte[] wrap(String apiVersion, String kind, Message message) {
        return wrap(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(message.toByteString()).setContentEncoding("").setContentType("").build().toByteArray());
    }

    private static byte[] wrap(byte[] unknown) {
        byte[] body = new byte[unknown.length + 4];
        body[0] = 'k';
        body[1] = '8';
        body[2] = 's';
        System.arraycopy(unknown, 0, body, 4, unknown.length);
        return body;
    }

    private static Meta.ObjectMeta.Builder meta(String name) {
        return Meta.ObjectMeta.newBuilder().setName(name).setNamespace("proto");
    }

    @Test
    void configMapWithDataAndCreationTimestamp() throws Exception {
        long seconds = Instant.parse("2026-01-02T03:04:05Z").getEpochSecond();
        V1.ConfigMap map = V1.ConfigMap.newBuilder()
                .setMetadata(meta("c").setCreationTimestamp(Meta.Time.newBuilder().setSeconds(seconds).setNanos(0))
                        .putLabels("app", "web"))
                .putData("a", "b").putData("empty", "").build();
        assertEquals(tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'proto',"
                + "'creationTimestamp':'2026-01-02T03:04:05Z','labels':{'app':'web'}},'data':{'a':'b','empty':''}}"),
                bodies.decode(wrap("v1", "ConfigMap", map)));
    }

    @Test
    void zeroTimeIsNullAsInJson() throws Exception {
        // Go writes a zero metav1.Time as an empty message; its JSON is null
        V1.Namespace namespace = V1.Namespace.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("proto").setCreationTimestamp(Meta.Time.newBuilder()))
                .setSpec(V1.NamespaceSpec.newBuilder()).setStatus(V1.NamespaceStatus.newBuilder()).build();
        assertEquals(tree("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'proto','creationTimestamp':null},"
                + "'spec':{},'status':{}}"), bodies.decode(wrap("v1", "Namespace", namespace)));
    }

    @Test
    void secretBytesAreBase64() throws Exception {
        V1.Secret secret = V1.Secret.newBuilder().setMetadata(meta("s").setGenerateName("").setResourceVersion(""))
                .setType("Opaque")
                .putData("p", ByteString.copyFrom("q", StandardCharsets.UTF_8))
                .putData("bin", ByteString.copyFrom(new byte[] { 0, (byte) 0xff })).build();
        assertEquals(tree("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'proto'},"
                + "'type':'Opaque','data':{'p':'cQ==','bin':'AP8='}}"), bodies.decode(wrap("v1", "Secret", secret)),
                "empty strings, which Go writes for every unset string, are left out as its JSON does");
    }

    @Test
    void deploymentWithTemplateContainersPortsAndQuantities() throws Exception {
        V1.Container container = V1.Container.newBuilder().setName("nginx").setImage("nginx:1.7.9")
                .addPorts(V1.ContainerPort.newBuilder().setContainerPort(80).setProtocol("TCP"))
                .setResources(V1.ResourceRequirements.newBuilder()
                        .putLimits("cpu", Resource.Quantity.newBuilder().setString("500m").build())
                        .putRequests("memory", Resource.Quantity.newBuilder().setString("64Mi").build()))
                .build();
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder().setMetadata(meta("d").putLabels("app", "d"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(2).setProgressDeadlineSeconds(600)
                        .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "d"))
                        .setTemplate(V1.PodTemplateSpec.newBuilder()
                                .setMetadata(Meta.ObjectMeta.newBuilder().putLabels("app", "d"))
                                .setSpec(V1.PodSpec.newBuilder().addContainers(container).setHostNetwork(false)))
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("RollingUpdate")
                                .setRollingUpdate(V1Apps.RollingUpdateDeployment.newBuilder()
                                        .setMaxSurge(IntStr.IntOrString.newBuilder().setType(1).setStrVal("25%"))
                                        .setMaxUnavailable(IntStr.IntOrString.newBuilder().setType(0).setIntVal(0)))))
                .build();
        assertEquals(tree("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'proto',"
                + "'labels':{'app':'d'}},'spec':{'replicas':2,'selector':{'matchLabels':{'app':'d'}},"
                + "'template':{'metadata':{'labels':{'app':'d'}},'spec':{'containers':[{'name':'nginx',"
                + "'image':'nginx:1.7.9','ports':[{'containerPort':80,'protocol':'TCP'}],'resources':{"
                + "'limits':{'cpu':'500m'},'requests':{'memory':'64Mi'}}}],'hostNetwork':false}},"
                + "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,'maxSurge':'25%'}},"
                + "'progressDeadlineSeconds':600}}"), bodies.decode(wrap("apps/v1", "Deployment", deployment)));
    }

    @Test
    void serviceTargetPortIsANumberOrAName() throws Exception {
        V1.Service service = V1.Service.newBuilder().setMetadata(meta("sv"))
                .setSpec(V1.ServiceSpec.newBuilder().setType("ClusterIP").putSelector("app", "sv")
                        .addPorts(V1.ServicePort.newBuilder().setName("80-8080").setPort(80).setProtocol("TCP")
                                .setTargetPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(8080)))
                        .addPorts(V1.ServicePort.newBuilder().setPort(443)
                                .setTargetPort(IntStr.IntOrString.newBuilder().setType(1).setStrVal("https"))))
                .build();
        assertEquals(tree("{'apiVersion':'v1','kind':'Service','metadata':{'name':'sv','namespace':'proto'},"
                + "'spec':{'ports':[{'name':'80-8080','protocol':'TCP','port':80,'targetPort':8080},"
                + "{'port':443,'targetPort':'https'}],'selector':{'app':'sv'},'type':'ClusterIP'}}"),
                bodies.decode(wrap("v1", "Service", service)));
    }

    @Test
    void microTimeInt64AndRawExtension() throws Exception {
        long seconds = Instant.parse("2026-01-02T03:04:05Z").getEpochSecond();
        V1Coordination.Lease lease = V1Coordination.Lease.newBuilder().setMetadata(meta("l"))
                .setSpec(V1Coordination.LeaseSpec.newBuilder().setHolderIdentity("me").setLeaseDurationSeconds(15)
                        .setRenewTime(Meta.MicroTime.newBuilder().setSeconds(seconds).setNanos(123_456_789)))
                .build();
        assertEquals(tree("{'apiVersion':'coordination.k8s.io/v1','kind':'Lease','metadata':{'name':'l','namespace':"
                + "'proto'},'spec':{'holderIdentity':'me','leaseDurationSeconds':15,"
                + "'renewTime':'2026-01-02T03:04:05.123456Z'}}"),
                bodies.decode(wrap("coordination.k8s.io/v1", "Lease", lease)));

        V1Apps.ControllerRevision revision = V1Apps.ControllerRevision.newBuilder().setMetadata(meta("r"))
                .setRevision(5_000_000_000L).setData(Runtime.RawExtension.newBuilder()
                        .setRaw(ByteString.copyFromUtf8("{\"spec\":{\"a\":[1,\"b\"]}}")))
                .build();
        JsonNode decoded = bodies.decode(wrap("apps/v1", "ControllerRevision", revision));
        assertEquals(tree("{'spec':{'a':[1,'b']}}"), decoded.get("data"));
        assertTrue(decoded.get("revision").isIntegralNumber());
        assertEquals(5_000_000_000L, decoded.get("revision").longValue());
    }

    @Test
    void deleteOptions() throws Exception {
        Meta.DeleteOptions options = Meta.DeleteOptions.newBuilder().setPropagationPolicy("Foreground")
                .setGracePeriodSeconds(0).build();
        assertEquals(tree("{'apiVersion':'v1','kind':'DeleteOptions','gracePeriodSeconds':0,"
                + "'propagationPolicy':'Foreground'}"), bodies.decode(wrap("v1", "DeleteOptions", options)));
    }

    @Test
    void badBodiesAreBadRequests() {
        V1.ConfigMap map = V1.ConfigMap.newBuilder().setMetadata(meta("c")).putData("a", "b").build();
        byte[] good = wrap("v1", "ConfigMap", map);

        Map<String, byte[]> bad = Map.of(
                "no magic", map.toByteArray(),
                "json", "{\"kind\":\"ConfigMap\"}".getBytes(StandardCharsets.UTF_8),
                "empty", new byte[0],
                "truncated", Arrays.copyOf(good, good.length - 3),
                "garbage raw", wrap(Runtime.Unknown.newBuilder()
                        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("v1").setKind("ConfigMap"))
                        .setRaw(ByteString.copyFrom(new byte[] { 0x0a, 0x7f, 0x01 })).build().toByteArray()),
                "unknown kind", wrap("v1", "Gizmo", map),
                "unknown version", wrap("example.com/v9", "ConfigMap", map),
                "not a resource", wrap("v1", "ContainerPort", map));
        for (Map.Entry<String, byte[]> body : bad.entrySet()) {
            ApiException e = assertThrows(ApiException.class, () -> bodies.decode(body.getValue()), body.getKey());
            assertEquals(400, e.code(), body.getKey());
            assertEquals("BadRequest", e.reason(), body.getKey());
        }
        ApiException unknown = assertThrows(ApiException.class, () -> bodies.decode(wrap("example.com/v9", "Gizmo", map)));
        assertTrue(unknown.getMessage().contains("Gizmo") && unknown.getMessage().contains("example.com/v9"),
                unknown.getMessage());
    }

    @Test
    void bodyDecoderTakesProtobufByContentType() throws Exception {
        V1.ConfigMap map = V1.ConfigMap.newBuilder().setMetadata(meta("c")).putData("a", "b").build();
        ApiRequest request = ApiRequest.of("POST", "/api/v1/namespaces/proto/configmaps",
                h -> h.equalsIgnoreCase("Content-Type") ? "application/vnd.kubernetes.protobuf" : null,
                wrap("v1", "ConfigMap", map));
        assertEquals(tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'proto'},"
                + "'data':{'a':'b'}}"), new BodyDecoder().decode(request));
    }
}

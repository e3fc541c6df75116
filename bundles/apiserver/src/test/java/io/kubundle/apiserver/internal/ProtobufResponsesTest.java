package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V2Apidiscovery;

/** Responses in protobuf: JSON trees encoded through the descriptors, read back with the generated classes. */
class ProtobufResponsesTest {
    private static final byte[] MAGIC = { 'k', '8', 's', 0 };
    private final ObjectMapper json = new ObjectMapper();
    private final ProtobufBodies protobuf = new ProtobufBodies();

    private ObjectNode tree(String text) throws Exception {
        return (ObjectNode) json.readTree(text.replace('\'', '"'));
    }

    /** The envelope of a body, checking the magic. */
    private static Runtime.Unknown envelope(byte[] body) throws Exception {
        assertArrayEquals(MAGIC, Arrays.copyOf(body, 4));
        return Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, 4, body.length));
    }

    /** Encodes, checks nothing was dropped, and decodes again as a request body would be. */
    private JsonNode roundTrip(ObjectNode object) throws Exception {
        ProtobufBodies.Encoded encoded = protobuf.encode(object);
        assertEquals(List.of(), encoded.dropped());
        return protobuf.decode(encoded.body());
    }

    @Test
    void podWithContainersPortsQuantitiesAndTimes() throws Exception {
        ObjectNode pod = tree("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default','uid':'u-1',"
                + "'resourceVersion':'42','creationTimestamp':'2026-01-02T03:04:05Z','labels':{'app':'web'},"
                + "'ownerReferences':[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'rs','uid':'u-0','controller':true}]},"
                + "'spec':{'containers':[{'name':'nginx','image':'nginx:1.27','ports':[{'containerPort':80,'protocol':'TCP'}],"
                + "'resources':{'limits':{'cpu':'500m','memory':'128Mi'},'requests':{'cpu':'250m'}},"
                + "'env':[{'name':'A','value':'b'}],'livenessProbe':{'httpGet':{'path':'/','port':'http'},'periodSeconds':10}}],"
                + "'nodeName':'n1','terminationGracePeriodSeconds':30,'hostNetwork':false},"
                + "'status':{'phase':'Running','podIP':'10.0.0.5','startTime':'2026-01-02T03:04:06Z',"
                + "'conditions':[{'type':'Ready','status':'True','lastTransitionTime':'2026-01-02T03:04:07Z'}],"
                + "'containerStatuses':[{'name':'nginx','ready':true,'restartCount':0,'image':'nginx:1.27','imageID':'x',"
                + "'state':{'running':{'startedAt':'2026-01-02T03:04:06Z'}}}]}}");
        assertEquals(pod, roundTrip(pod));

        Runtime.Unknown unknown = envelope(protobuf.encode(pod).body());
        assertEquals("v1", unknown.getTypeMeta().getApiVersion());
        assertEquals("Pod", unknown.getTypeMeta().getKind());
        V1.Pod typed = V1.Pod.parseFrom(unknown.getRaw());
        assertEquals("500m", typed.getSpec().getContainers(0).getResources().getLimitsOrThrow("cpu").getString());
        assertEquals(80, typed.getSpec().getContainers(0).getPorts(0).getContainerPort());
        assertEquals("http", typed.getSpec().getContainers(0).getLivenessProbe().getHandler().getHttpGet().getPort().getStrVal());
        assertEquals(1767323045L, typed.getMetadata().getCreationTimestamp().getSeconds());
        assertTrue(typed.getMetadata().getOwnerReferences(0).getController());
    }

    @Test
    void deploymentServiceConfigMapAndSecret() throws Exception {
        ObjectNode deployment = tree("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'default',"
                + "'generation':3,'annotations':{'a':'b'}},'spec':{'replicas':0,'selector':{'matchLabels':{'app':'d'},"
                + "'matchExpressions':[{'key':'tier','operator':'In','values':['web','api']}]},"
                + "'template':{'metadata':{'labels':{'app':'d'}},'spec':{'containers':[{'name':'c','image':'i'}]}},"
                + "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,'maxSurge':'25%'}},"
                + "'revisionHistoryLimit':10},'status':{'observedGeneration':3,'replicas':0}}");
        assertEquals(deployment, roundTrip(deployment));
        V1Apps.Deployment typed = V1Apps.Deployment.parseFrom(envelope(protobuf.encode(deployment).body()).getRaw());
        assertTrue(typed.getSpec().hasReplicas(), "a pointer's 0 is sent");
        assertEquals("25%", typed.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal());

        ObjectNode service = tree("{'apiVersion':'v1','kind':'Service','metadata':{'name':'s','namespace':'default'},"
                + "'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],"
                + "'ports':[{'name':'http','protocol':'TCP','port':80,'targetPort':8080}],'selector':{'app':'s'}},"
                + "'status':{'loadBalancer':{}}}");
        assertEquals(service, roundTrip(service));

        ObjectNode configMap = tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'default'},"
                + "'data':{'a':'b','empty':''},'binaryData':{'bin':'AP8='}}");
        assertEquals(configMap, roundTrip(configMap));
        V1.ConfigMap typedMap = V1.ConfigMap.parseFrom(envelope(protobuf.encode(configMap).body()).getRaw());
        assertArrayEquals(new byte[] { 0, (byte) 0xff }, typedMap.getBinaryDataOrThrow("bin").toByteArray());

        ObjectNode secret = tree("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},"
                + "'type':'Opaque','data':{'p':'cQ=='},'immutable':true}");
        assertEquals(secret, roundTrip(secret));
    }

    @Test
    void listsAndStatusesHaveTheirOwnKinds() throws Exception {
        ObjectNode list = tree("{'apiVersion':'v1','kind':'PodList','metadata':{'resourceVersion':'7','continue':'abc'},"
                + "'items':[{'metadata':{'name':'a'}},{'metadata':{'name':'b'}}]}");
        Runtime.Unknown unknown = envelope(protobuf.encode(list).body());
        assertEquals("PodList", unknown.getTypeMeta().getKind());
        V1.PodList pods = V1.PodList.parseFrom(unknown.getRaw());
        assertEquals("7", pods.getMetadata().getResourceVersion());
        assertEquals("abc", pods.getMetadata().getContinue());
        assertEquals("b", pods.getItems(1).getMetadata().getName());

        ObjectNode status = ApiException.notFoundPath("/x").toStatus();
        unknown = envelope(protobuf.encode(status).body());
        assertEquals("v1", unknown.getTypeMeta().getApiVersion());
        assertEquals("Status", unknown.getTypeMeta().getKind());
        Meta.Status typed = Meta.Status.parseFrom(unknown.getRaw());
        assertEquals(404, typed.getCode());
        assertEquals("NotFound", typed.getReason());
        assertEquals("Failure", typed.getStatus());
    }

    @Test
    void watchEventsAreLengthPrefixedFramesAroundTheEmbeddedObject() throws Exception {
        ObjectNode configMap = tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','resourceVersion':'9'},"
                + "'data':{'a':'b'}}");
        byte[] frame = WatchFormat.PROTOBUF.event(json, "MODIFIED", configMap);
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        int length = buffer.getInt();
        assertEquals(frame.length - 4, length);
        Meta.WatchEvent event = Meta.WatchEvent.parseFrom(Arrays.copyOfRange(frame, 4, frame.length));
        assertEquals("MODIFIED", event.getType());
        assertEquals(configMap, protobuf.decode(event.getObject().getRaw().toByteArray()));
        assertEquals(MediaTypes.PROTOBUF + ";stream=watch", WatchFormat.PROTOBUF.contentType());
    }

    @Test
    void fieldsTheMessageLacksAreDroppedAndListed() throws Exception {
        ObjectNode odd = tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','futureField':1},"
                + "'data':{'a':'b'},'immutable':'not a boolean'}");
        ProtobufBodies.Encoded encoded = protobuf.encode(odd);
        assertEquals(List.of("metadata.futureField", "immutable"), encoded.dropped());
        assertEquals(tree("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'b'}}"),
                protobuf.decode(encoded.body()));
        assertNull(protobuf.encode(tree("{'apiVersion':'meta.k8s.io/v1','kind':'Table','rows':[]}")),
                "a Table has no protobuf form");
    }

    @Test
    void aggregatedDiscoveryAndVerbsEncode() throws Exception {
        ObjectNode aggregated = new Discovery(ResourceTypes.builtIn()).aggregated(false, "apidiscovery.k8s.io/v2");
        ProtobufBodies.Encoded encoded = protobuf.encode(aggregated);
        assertEquals(List.of(), encoded.dropped());
        V2Apidiscovery.APIGroupDiscoveryList list = V2Apidiscovery.APIGroupDiscoveryList.parseFrom(envelope(encoded.body()).getRaw());
        assertEquals("apps", list.getItems(0).getMetadata().getName());
        ObjectNode resources = new Discovery(ResourceTypes.builtIn()).resources("", "v1");
        encoded = protobuf.encode(resources);
        assertEquals(List.of(), encoded.dropped());
        Meta.APIResourceList typed = Meta.APIResourceList.parseFrom(envelope(encoded.body()).getRaw());
        assertTrue(typed.getResources(0).getVerbs().getItemsList().contains("watch"));
    }

    @Test
    void durationsAreGoDurations() {
        assertEquals("0s", ProtobufBodies.goDuration(0));
        assertEquals("1h0m0s", ProtobufBodies.goDuration(3_600_000_000_000L));
        assertEquals("1m30s", ProtobufBodies.goDuration(90_000_000_000L));
        assertEquals("1.5s", ProtobufBodies.goDuration(1_500_000_000L));
        assertEquals("100ms", ProtobufBodies.goDuration(100_000_000L));
        assertEquals("-2s", ProtobufBodies.goDuration(-2_000_000_000L));
    }
}

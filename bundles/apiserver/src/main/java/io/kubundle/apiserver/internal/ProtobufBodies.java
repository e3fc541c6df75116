package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V1beta1Apps;
import io.kubernetes.client.proto.V1beta1Extensions;
import io.kubernetes.client.proto.V1beta2Apps;

/**
 * Kubernetes protobuf request bodies ({@code application/vnd.kubernetes.protobuf}, what kubectl's
 * imperative commands send): the magic {@code k8s\0}, then a {@code runtime.Unknown} whose
 * {@code raw} is the typed message. The message is turned into the JSON tree a JSON body would
 * give by walking its descriptors, with Kubernetes' own JSON forms for its special types (times,
 * int-or-string, quantities, raw extensions). The generated messages ({@code client-java-proto})
 * and protobuf-java are bundles of their own; this class is loaded on the first protobuf body.
 */
final class ProtobufBodies {
    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = { 'k', '8', 's', 0 };
    private static final int MAX_DEPTH = 100;

    /** The generated file that holds each served group version's messages. */
    private static final Map<String, FileDescriptor> FILES = Map.ofEntries(
            Map.entry("v1", V1.getDescriptor()),
            Map.entry("apps/v1", V1Apps.getDescriptor()),
            Map.entry("batch/v1", V1Batch.getDescriptor()),
            Map.entry("coordination.k8s.io/v1", V1Coordination.getDescriptor()),
            Map.entry("discovery.k8s.io/v1", V1Discovery.getDescriptor()),
            Map.entry("events.k8s.io/v1", V1Events.getDescriptor()),
            Map.entry("storage.k8s.io/v1", V1Storage.getDescriptor()),
            Map.entry("policy/v1", V1Policy.getDescriptor()),
            Map.entry("rbac.authorization.k8s.io/v1", V1Rbac.getDescriptor()),
            Map.entry("autoscaling/v1", V1Autoscaling.getDescriptor()),
            Map.entry("meta.k8s.io/v1", Meta.getDescriptor()),
            Map.entry("extensions/v1beta1", V1beta1Extensions.getDescriptor()),
            Map.entry("apps/v1beta1", V1beta1Apps.getDescriptor()),
            Map.entry("apps/v1beta2", V1beta2Apps.getDescriptor()));

    /** Bodies that are not resources: options of deletes and patches, scale subresources. */
    private static final Set<String> META_KINDS = Set.of("DeleteOptions", "Patch", "CreateOptions", "UpdateOptions",
            "PatchOptions");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    private final ResourceTypes types = ResourceTypes.builtIn();
    private final ObjectMapper json;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /** Loaded on the first protobuf body: the generated descriptors take a moment to build. */
    private static final class Shared {
        static final ProtobufBodies INSTANCE = new ProtobufBodies();
    }

    static ProtobufBodies shared() {
        return Shared.INSTANCE;
    }

    ProtobufBodies() {
        json = new ObjectMapper();
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    /** The object a protobuf body holds, as JSON, with its apiVersion and kind. */
    ObjectNode decode(byte[] body) throws ApiException {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        if (body.length < MAGIC.length || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2]
                || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("the request body is not valid protobuf: it does not start with the Kubernetes"
                    + " magic bytes \"k8s\\x00\"");
        }
        Runtime.Unknown unknown;
        try {
            unknown = Runtime.Unknown.parseFrom(ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw malformed(e);
        }
        if (!unknown.getContentEncoding().isEmpty()) {
            throw ApiException.badRequest("the request body is not valid protobuf: content encoding \""
                    + unknown.getContentEncoding() + "\" is not supported");
        }
        String apiVersion = unknown.getTypeMeta().getApiVersion();
        String kind = unknown.getTypeMeta().getKind();
        Descriptor descriptor = descriptor(apiVersion, kind);
        if (descriptor == null) {
            throw ApiException.badRequest("no kind \"" + kind + "\" is registered for version \"" + apiVersion
                    + "\" in the protobuf scheme");
        }
        ObjectNode object = nodes.objectNode();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        try {
            DynamicMessage message = DynamicMessage.parseFrom(descriptor, unknown.getRaw());
            ObjectNode fields = toObject(message, 0);
            fields.remove("apiVersion");
            fields.remove("kind");
            object.setAll(fields);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw malformed(e);
        }
        return object;
    }

    private Descriptor descriptor(String apiVersion, String kind) {
        FileDescriptor file = FILES.get(apiVersion);
        if (file == null || kind.isEmpty()) {
            return null;
        }
        boolean served = types.byKind(apiVersion, kind).isPresent()
                || (apiVersion.equals("autoscaling/v1") && kind.equals("Scale"));
        if (served) {
            return file.findMessageTypeByName(kind);
        }
        if (META_KINDS.contains(kind)) {
            Descriptor own = file.findMessageTypeByName(kind);
            return own != null ? own : Meta.getDescriptor().findMessageTypeByName(kind);
        }
        return null;
    }

    private static ApiException malformed(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return ApiException.badRequest("the request body is not valid protobuf: "
                + (newline < 0 ? message : message.substring(0, newline)));
    }

    /** A message as a JSON object: set fields only, under their .proto names (Kubernetes' JSON names). */
    private ObjectNode toObject(Message message, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("the object is nested too deeply");
        }
        ObjectNode object = nodes.objectNode();
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            Object value = entry.getValue();
            if (field.isMapField()) {
                ObjectNode map = object.putObject(field.getName());
                FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
                for (Object item : (List<?>) value) {
                    Message pair = (Message) item;
                    Object key = pair.getField(field.getMessageType().findFieldByNumber(1));
                    map.set(String.valueOf(key), toJson(valueField, pair.getField(valueField), depth + 1));
                }
            } else if (field.isRepeated()) {
                ArrayNode array = object.putArray(field.getName());
                for (Object item : (List<?>) value) {
                    array.add(toJson(field, item, depth + 1));
                }
            } else if (value instanceof String text && text.isEmpty()) {
                // Go writes every non-pointer string, empty or not; its JSON omits them (omitempty) and
                // its defaulting treats "" as unset: so do we (the rules here default absent fields)
                continue;
            } else {
                object.set(field.getName(), toJson(field, value, depth + 1));
            }
        }
        return object;
    }

    /** One value of a field (one element if repeated). */
    private JsonNode toJson(FieldDescriptor field, Object value, int depth) {
        switch (field.getJavaType()) {
        case INT:
            return nodes.numberNode((Integer) value);
        case LONG: {
            // as Jackson reads the same number from JSON: an int when it fits
            long number = (Long) value;
            return number == (int) number ? nodes.numberNode((int) number) : nodes.numberNode(number);
        }
        case FLOAT:
            return nodes.numberNode((Float) value);
        case DOUBLE:
            return nodes.numberNode((Double) value);
        case BOOLEAN:
            return nodes.booleanNode((Boolean) value);
        case STRING:
            return nodes.textNode((String) value);
        case BYTE_STRING:
            return nodes.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
        case ENUM:
            return nodes.textNode(value.toString());
        case MESSAGE:
            return special((Message) value, depth);
        default:
            throw new IllegalArgumentException("unsupported field type " + field.getType());
        }
    }

    /** Kubernetes' types with their own JSON form; any other message as an object. */
    private JsonNode special(Message message, int depth) {
        Descriptor type = message.getDescriptorForType();
        switch (type.getFullName()) {
        case META + "Time":
            return time(message, TIME);
        case META + "MicroTime":
            return time(message, MICRO_TIME);
        case META + "Duration":
            return nodes.textNode((String) message.getField(type.findFieldByName("duration")));
        case META + "FieldsV1":
            return embeddedJson((ByteString) message.getField(type.findFieldByNumber(1)));
        case "k8s.io.apimachinery.pkg.runtime.RawExtension":
            return embeddedJson((ByteString) message.getField(type.findFieldByName("raw")));
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {
            long kind = ((Number) message.getField(type.findFieldByName("type"))).longValue();
            return kind == 1 ? nodes.textNode((String) message.getField(type.findFieldByName("strVal")))
                    : nodes.numberNode((Integer) message.getField(type.findFieldByName("intVal")));
        }
        case "k8s.io.apimachinery.pkg.api.resource.Quantity":
        case "k8s.io.apimachinery.pkg.api.resource.QuantityValue":
            return nodes.textNode((String) message.getField(type.findFieldByName("string")));
        default:
            return toObject(message, depth);
        }
    }

    /** A time as RFC 3339 in UTC; the zero time (written as an empty message) is null, as in JSON. */
    private JsonNode time(Message message, DateTimeFormatter format) {
        Descriptor type = message.getDescriptorForType();
        FieldDescriptor seconds = type.findFieldByName("seconds");
        FieldDescriptor nanos = type.findFieldByName("nanos");
        if (!message.hasField(seconds) && !message.hasField(nanos)) {
            return nodes.nullNode();
        }
        return nodes.textNode(format.format(Instant.ofEpochSecond((Long) message.getField(seconds),
                (Integer) message.getField(nanos))));
    }

    private JsonNode embeddedJson(ByteString raw) {
        if (raw.isEmpty()) {
            return nodes.nullNode();
        }
        try {
            return json.readTree(raw.toByteArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("an embedded object is not valid JSON: " + e.getMessage(), e);
        }
    }
}

package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V2Apidiscovery;
import io.kubernetes.client.proto.V2beta1Apidiscovery;
import io.kubernetes.client.proto.V1beta1Apps;
import io.kubernetes.client.proto.V1beta1Extensions;
import io.kubernetes.client.proto.V1beta2Apps;

/**
 * Kubernetes protobuf bodies ({@code application/vnd.kubernetes.protobuf}), both ways: the magic
 * {@code k8s\0}, then a {@code runtime.Unknown} whose {@code raw} is the typed message. A request
 * body (what kubectl's imperative commands send) is turned into the JSON tree a JSON body would
 * give, and a response's JSON tree into the message, by walking the descriptors, with Kubernetes'
 * own JSON forms for its special types (times, int-or-string, quantities, raw extensions). The
 * generated messages ({@code client-java-proto}) and protobuf-java are bundles of their own; this
 * class is loaded on the first protobuf body.
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
            Map.entry("certificates.k8s.io/v1", V1Certificates.getDescriptor()),
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
            Map.entry("apps/v1beta2", V1beta2Apps.getDescriptor()),
            Map.entry("apidiscovery.k8s.io/v2", V2Apidiscovery.getDescriptor()),
            Map.entry("apidiscovery.k8s.io/v2beta1", V2beta1Apidiscovery.getDescriptor()));

    /** Bodies that are not resources: options of deletes and patches, scale subresources. */
    private static final Set<String> META_KINDS = Set.of("DeleteOptions", "Patch", "CreateOptions", "UpdateOptions",
            "PatchOptions");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    /** A CertificateSigningRequest's {@code spec.extra} values: a []string in JSON. */
    private static final String EXTRA_VALUE = "k8s.io.api.certificates.v1.ExtraValue";
    /**
     * Fields of Go structs embedded in their parent: the message has a field for them, while
     * JSON (and so the tree) has their fields inline in the parent.
     */
    private static final Set<String> EMBEDDED = Set.of("k8s.io.api.core.v1.Probe.handler",
            "k8s.io.api.core.v1.Volume.volumeSource", "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
            "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon");
    private static final System.Logger LOG = System.getLogger(ProtobufBodies.class.getName());
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
    private static final Map<String, Long> DURATION_UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    /**
     * A response in protobuf: the body (magic and envelope) and the paths of the fields the
     * message has no place for, which it lacks.
     */
    record Encoded(byte[] body, List<String> dropped) {
    }

    /** A JSON value that does not fit the field's type. */
    private static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

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

    /** The message of a request body: served kinds, the scale subresource, options. */
    private Descriptor descriptor(String apiVersion, String kind) {
        boolean served = types.byKind(apiVersion, kind).isPresent()
                || (apiVersion.equals("autoscaling/v1") && kind.equals("Scale"));
        return served || META_KINDS.contains(kind) ? messageType(apiVersion, kind) : null;
    }

    /**
     * The generated message of any kind of a group version, the meta kinds ({@code Status},
     * {@code DeleteOptions}, discovery's {@code APIGroupList}) under {@code v1} too; null if
     * there is none (a {@code Table} has no protobuf form in Kubernetes).
     */
    private static Descriptor messageType(String apiVersion, String kind) {
        FileDescriptor file = FILES.get(apiVersion);
        if (file == null || kind.isEmpty()) {
            return null;
        }
        Descriptor own = file.findMessageTypeByName(kind);
        if (own == null && (apiVersion.equals("v1") || file == Meta.getDescriptor())) {
            return Meta.getDescriptor().findMessageTypeByName(kind);
        }
        return own;
    }

    /** Says which fields a protobuf response left out (none: says nothing). */
    static void warnDropped(JsonNode object, List<String> dropped) {
        if (!dropped.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "protobuf response of {0} {1} \"{2}\" leaves out fields its message lacks: {3}",
                    object.path("apiVersion").asText(), object.path("kind").asText(),
                    object.path("metadata").path("name").asText(), dropped);
        }
    }

    /** The failure to encode an object whose kind has no protobuf form (the caller should have checked). */
    static IllegalStateException noProtobufForm(JsonNode object) {
        return new IllegalStateException("no protobuf form for " + object.path("apiVersion").asText() + " "
                + object.path("kind").asText());
    }

    /** Whether an object of this apiVersion and kind has a protobuf form. */
    static boolean canEncode(String apiVersion, String kind) {
        return messageType(apiVersion, kind) != null;
    }

    /**
     * An object (with its apiVersion and kind) as a protobuf body; null if its kind has no
     * protobuf form. Fields the message has no place for, and values of the wrong type, are
     * left out and listed; this never fails for a JSON tree.
     */
    Encoded encode(JsonNode object) {
        Encoded message = message(object);
        return message == null ? null
                : new Encoded(envelope(object.path("apiVersion").asText(""), object.path("kind").asText(""), message.body()),
                        message.dropped());
    }

    /**
     * An object as its bare message, without magic and envelope (as a list holds its items);
     * null if its kind has no protobuf form.
     */
    Encoded message(JsonNode object) {
        Descriptor type = messageType(object.path("apiVersion").asText(""), object.path("kind").asText(""));
        if (type == null) {
            return null;
        }
        List<String> dropped = new ArrayList<>();
        Message message = toMessage(type, object, "", dropped);
        return new Encoded(message.toByteArray(), List.copyOf(dropped));
    }

    /** A message as a protobuf body: the magic, then the envelope naming its apiVersion and kind. */
    static byte[] envelope(String apiVersion, String kind, byte[] message) {
        Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                // Go writes its non-pointer strings even when empty; its own envelopes leave both empty
                .setRaw(ByteString.copyFrom(message)).setContentEncoding("").setContentType("").build();
        byte[] envelope = unknown.toByteArray();
        byte[] body = new byte[MAGIC.length + envelope.length];
        System.arraycopy(MAGIC, 0, body, 0, MAGIC.length);
        System.arraycopy(envelope, 0, body, MAGIC.length, envelope.length);
        return body;
    }

    /**
     * A list body from its items' messages, encoded beforehand (the watch cache keeps them): the
     * same bytes as {@link #encode} of the list's JSON. Null if the list kind has no protobuf form.
     */
    static byte[] list(String apiVersion, String listKind, String resourceVersion, String continueToken, List<byte[]> items) {
        Descriptor type = messageType(apiVersion, listKind);
        FieldDescriptor metadata = type == null ? null : type.findFieldByName("metadata");
        FieldDescriptor itemsField = type == null ? null : type.findFieldByName("items");
        if (metadata == null || itemsField == null) {
            return null;
        }
        Meta.ListMeta.Builder meta = Meta.ListMeta.newBuilder().setResourceVersion(resourceVersion);
        if (continueToken != null) {
            meta.setContinue(continueToken);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(bytes);
        try {
            // fields in number order, as a message writes them
            if (metadata.getNumber() < itemsField.getNumber()) {
                out.writeByteArray(metadata.getNumber(), meta.build().toByteArray());
            }
            for (byte[] item : items) {
                out.writeByteArray(itemsField.getNumber(), item);
            }
            if (metadata.getNumber() > itemsField.getNumber()) {
                out.writeByteArray(metadata.getNumber(), meta.build().toByteArray());
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a protobuf list", e);
        }
        return envelope(apiVersion, listKind, bytes.toByteArray());
    }

    /**
     * One event of a protobuf watch: a {@code meta/v1 WatchEvent} whose object is the embedded
     * body (magic and envelope), written without an envelope of its own and prefixed with its
     * length (4 bytes, big-endian), as client-go's length-delimited framer reads it.
     */
    static byte[] watchFrame(String type, byte[] embedded) {
        byte[] event = Meta.WatchEvent.newBuilder().setType(type)
                .setObject(Runtime.RawExtension.newBuilder().setRaw(ByteString.copyFrom(embedded))).build().toByteArray();
        return ByteBuffer.allocate(4 + event.length).putInt(event.length).put(event).array();
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
            } else if (EMBEDDED.contains(field.getFullName())) {
                object.setAll(toObject((Message) value, depth + 1));
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
            return nodes.textNode(goDuration((Long) message.getField(type.findFieldByName("duration"))));
        case META + "FieldsV1":
            return embeddedJson((ByteString) message.getField(type.findFieldByNumber(1)));
        case META + "Verbs", EXTRA_VALUE: {
            ArrayNode verbs = nodes.arrayNode();
            ((List<?>) message.getField(type.findFieldByName("items"))).forEach(verb -> verbs.add((String) verb));
            return verbs;
        }
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
    /** A JSON object as a message of {@code type}. */
    private Message toMessage(Descriptor type, JsonNode object, String path, List<String> dropped) {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        Map<FieldDescriptor, ObjectNode> embedded = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            JsonNode value = entry.getValue();
            FieldDescriptor field = type.findFieldByName(name);
            if (value.isNull() || (field == null && (name.equals("apiVersion") || name.equals("kind")))) {
                // Go's TypeMeta, inline in JSON, is never in a message: the envelope carries the top level's
                continue;
            }
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            FieldDescriptor inline = field == null ? embeddedFieldWith(type, name) : null;
            if (inline != null) {
                embedded.computeIfAbsent(inline, f -> nodes.objectNode()).set(name, value);
                continue;
            }
            if (field == null) {
                dropped.add(fieldPath);
                continue;
            }
            try {
                setField(message, field, value, fieldPath, dropped);
            } catch (Mismatch e) {
                message.clearField(field);
                dropped.add(fieldPath);
            }
        }
        embedded.forEach((field, fields) -> message.setField(field, toMessage(field.getMessageType(), fields, path, dropped)));
        return message.build();
    }

    /** The embedded struct's field of {@code type} that holds the JSON field {@code name} inline, or null. */
    private static FieldDescriptor embeddedFieldWith(Descriptor type, String name) {
        for (FieldDescriptor field : type.getFields()) {
            if (EMBEDDED.contains(field.getFullName()) && field.getMessageType().findFieldByName(name) != null) {
                return field;
            }
        }
        return null;
    }

    private void setField(DynamicMessage.Builder message, FieldDescriptor field, JsonNode value, String path, List<String> dropped)
            throws Mismatch {
        if (field.isMapField()) {
            if (!value.isObject()) {
                throw new Mismatch(path);
            }
            Descriptor pair = field.getMessageType();
            FieldDescriptor keyField = pair.findFieldByNumber(1);
            FieldDescriptor valueField = pair.findFieldByNumber(2);
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                DynamicMessage.Builder item = DynamicMessage.newBuilder(pair).setField(keyField, entry.getKey());
                if (!entry.getValue().isNull()) {
                    item.setField(valueField, fromJson(valueField, entry.getValue(), path + "." + entry.getKey(), dropped));
                }
                message.addRepeatedField(field, item.build());
            }
        } else if (field.isRepeated()) {
            if (!value.isArray()) {
                throw new Mismatch(path);
            }
            for (int i = 0; i < value.size(); i++) {
                message.addRepeatedField(field, fromJson(field, value.get(i), path + "[" + i + "]", dropped));
            }
        } else {
            message.setField(field, fromJson(field, value, path, dropped));
        }
    }

    /** One JSON value (one element if repeated) as the field's Java value. */
    private Object fromJson(FieldDescriptor field, JsonNode value, String path, List<String> dropped) throws Mismatch {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            return specialFromJson(field.getMessageType(), value, path, dropped);
        }
        Object result = switch (field.getJavaType()) {
        case INT -> value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
        case LONG -> value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
        case FLOAT -> value.isNumber() ? value.floatValue() : null;
        case DOUBLE -> value.isNumber() ? value.doubleValue() : null;
        case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
        case STRING -> value.isTextual() ? value.textValue() : null;
        case BYTE_STRING -> value.isTextual() ? base64(value.textValue()) : null;
        case ENUM -> value.isTextual() ? field.getEnumType().findValueByName(value.textValue()) : null;
        default -> null;
        };
        if (result == null) {
            throw new Mismatch(path);
        }
        return result;
    }

    private static ByteString base64(String text) {
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The reverse of {@link #special}: Kubernetes' special JSON forms as their messages. */
    private Message specialFromJson(Descriptor type, JsonNode value, String path, List<String> dropped) throws Mismatch {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        switch (type.getFullName()) {
        case META + "Time", META + "MicroTime": {
            Instant instant = instant(value, path);
            return message.setField(type.findFieldByName("seconds"), instant.getEpochSecond())
                    .setField(type.findFieldByName("nanos"), instant.getNano()).build();
        }
        case META + "Duration":
            return message.setField(type.findFieldByName("duration"), parseGoDuration(value, path)).build();
        case META + "FieldsV1":
            return message.setField(type.findFieldByNumber(1), jsonBytes(value, path)).build();
        case META + "Verbs", EXTRA_VALUE:
            // Go's []string type, wrapped in a message of its own
            setField(message, type.findFieldByName("items"), value, path, dropped);
            return message.build();
        case "k8s.io.apimachinery.pkg.runtime.RawExtension":
            return message.setField(type.findFieldByName("raw"), jsonBytes(value, path)).build();
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            if (value.isIntegralNumber() && value.canConvertToInt()) {
                return message.setField(type.findFieldByName("type"), 0L).setField(type.findFieldByName("intVal"), value.intValue())
                        .build();
            }
            if (value.isTextual()) {
                return message.setField(type.findFieldByName("type"), 1L).setField(type.findFieldByName("strVal"), value.textValue())
                        .build();
            }
            throw new Mismatch(path);
        case "k8s.io.apimachinery.pkg.api.resource.Quantity", "k8s.io.apimachinery.pkg.api.resource.QuantityValue":
            if (value.isTextual() || value.isNumber()) {
                return message.setField(type.findFieldByName("string"), value.asText()).build();
            }
            throw new Mismatch(path);
        default:
            if (!value.isObject()) {
                throw new Mismatch(path);
            }
            return toMessage(type, value, path, dropped);
        }
    }

    private static Instant instant(JsonNode value, String path) throws Mismatch {
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new Mismatch(path);
        }
    }

    private ByteString jsonBytes(JsonNode value, String path) throws Mismatch {
        try {
            return ByteString.copyFrom(json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new Mismatch(path);
        }
    }

    /** Nanoseconds as Go's {@code time.Duration.String()} writes them: {@code 1h0m0s}, {@code 1.5s}, {@code 100ms}. */
    static String goDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        BigDecimal n = BigDecimal.valueOf(nanos).abs();
        if (n.compareTo(BigDecimal.valueOf(1_000_000_000L)) < 0) {
            String[] units = { "ns", "µs", "ms" };
            int unit = n.compareTo(BigDecimal.valueOf(1_000L)) < 0 ? 0 : n.compareTo(BigDecimal.valueOf(1_000_000L)) < 0 ? 1 : 2;
            return sign + n.movePointLeft(3 * unit).stripTrailingZeros().toPlainString() + units[unit];
        }
        long seconds = n.longValue() / 1_000_000_000L;
        String fraction = n.remainder(BigDecimal.valueOf(1_000_000_000L)).movePointLeft(9).stripTrailingZeros().toPlainString();
        String s = (seconds % 60) + (fraction.equals("0") ? "" : fraction.substring(1)) + "s";
        if (seconds < 60) {
            return sign + s;
        }
        long minutes = seconds / 60;
        return sign + (minutes >= 60 ? (minutes / 60) + "h" + (minutes % 60) + "m" : minutes + "m") + s;
    }

    /** Go's {@code time.ParseDuration}: {@code 1h30m}, {@code 1.5s}, {@code -2m}; a bare {@code 0} too. */
    private static long parseGoDuration(JsonNode value, String path) throws Mismatch {
        String text = value.asText("");
        String body = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        if (body.equals("0")) {
            return 0;
        }
        if (body.isEmpty()) {
            throw new Mismatch(path);
        }
        Matcher part = DURATION_PART.matcher(body);
        BigDecimal total = BigDecimal.ZERO;
        for (int end = 0; end < body.length(); end = part.end()) {
            part.region(end, body.length());
            if (!part.lookingAt() || part.group(1).isEmpty() || part.group(1).equals(".")) {
                throw new Mismatch(path);
            }
            total = total.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(DURATION_UNITS.get(part.group(2)))));
        }
        long nanos = total.longValue();
        return text.startsWith("-") ? -nanos : nanos;
    }
}

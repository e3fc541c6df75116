package io.kubundle.volume.config.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/**
 * Volumes of API data: {@code configMap}, {@code secret} (always on a tmpfs, so secrets never touch
 * the disk), {@code downwardAPI} and {@code projected}, written into the volume's directory by the
 * {@link AtomicWriter} at every set-up, so a running pod sees an update all at once. ConfigMaps and
 * Secrets are read through the kubelet ({@link VolumeRequest#objects()}). Everything it knows is in
 * the volume's directory, so any instance updates and tears down what another made, and stopping it
 * leaves every volume as it is.
 */
@Component(property = {VolumePlugin.TYPES_PROPERTY + "=configMap", VolumePlugin.TYPES_PROPERTY + "=secret",
        VolumePlugin.TYPES_PROPERTY + "=downwardAPI", VolumePlugin.TYPES_PROPERTY + "=projected"})
public final class ConfigVolumes implements VolumePlugin {

    @Override
    public Path setUp(VolumeRequest request) throws VolumeFailure {
        Path dir = request.volume().directory();
        Map<String, Object> source = request.source();
        try {
            switch (request.volume().type()) {
                case "configMap" -> AtomicWriter.write(dir, keys(request, "ConfigMap", source, string(source, "name"), mode(source)));
                case "secret" -> {
                    Map<String, AtomicWriter.Payload> files = keys(request, "Secret", source, string(source, "secretName"),
                            mode(source));
                    Files.createDirectories(dir);
                    Mounts.tmpfs(dir, null); // secrets never touch the disk
                    AtomicWriter.write(dir, files);
                }
                case "downwardAPI" -> AtomicWriter.write(dir, downward(request, list(source.get("items")), mode(source)));
                case "projected" -> {
                    Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
                    for (Map<String, Object> projection : list(source.get("sources"))) {
                        files.putAll(projection(request, projection, mode(source)));
                    }
                    AtomicWriter.write(dir, files);
                }
                default -> throw new VolumeFailure("volume type " + request.volume().type()
                        + " is not one of configMap, secret, downwardAPI, projected");
            }
        } catch (IOException e) {
            throw new VolumeFailure(e.getMessage(), e);
        }
        return dir;
    }

    /** Unmounts a secret's tmpfs; the files of every type go with the pod. */
    @Override
    public void tearDown(VolumeRef volume) throws VolumeFailure {
        try {
            Mounts.unmountAndDelete(volume.directory());
        } catch (IOException e) {
            throw new VolumeFailure(e.getMessage(), e);
        }
    }

    private static Map<String, AtomicWriter.Payload> projection(VolumeRequest request, Map<String, Object> projection, int defaultMode)
            throws VolumeFailure {
        if (projection.get("configMap") != null) {
            Map<String, Object> source = map(projection.get("configMap"));
            return keys(request, "ConfigMap", source, string(source, "name"), defaultMode);
        }
        if (projection.get("secret") != null) {
            Map<String, Object> source = map(projection.get("secret"));
            return keys(request, "Secret", source, string(source, "name"), defaultMode);
        }
        if (projection.get("downwardAPI") != null) {
            return downward(request, list(map(projection.get("downwardAPI")).get("items")), defaultMode);
        }
        throw new VolumeFailure("projected source not supported on this node yet (supported: configMap, secret, downwardAPI)");
    }

    /** The files of a ConfigMap's or Secret's keys, read through the kubelet. */
    private static Map<String, AtomicWriter.Payload> keys(VolumeRequest request, String kind, Map<String, Object> source, String name,
            int defaultMode) throws VolumeFailure {
        boolean optional = Boolean.TRUE.equals(source.get("optional"));
        Optional<Map<String, Object>> object = request.objects().get("v1", kind, namespace(request), name);
        if (object.isEmpty() && !optional) {
            throw new VolumeFailure(kind.toLowerCase(Locale.ROOT) + " \"" + name + "\" not found");
        }
        boolean secret = "Secret".equals(kind);
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (object.isPresent()) {
            // a ConfigMap's data is text and its binaryData base64; a Secret's data is base64 and its stringData text
            strings(object.get().get("data")).forEach((key, value) -> data.put(key, secret ? base64(value) : utf8(value)));
            strings(object.get().get(secret ? "stringData" : "binaryData"))
                    .forEach((key, value) -> data.put(key, secret ? utf8(value) : base64(value)));
        }
        return project(data, source, defaultMode, kind, name, optional);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] base64(String value) {
        return Base64.getDecoder().decode(value);
    }

    /** The files of a ConfigMap or Secret: every key, or only the {@code items} listed, at their paths. */
    private static Map<String, AtomicWriter.Payload> project(Map<String, byte[]> data, Map<String, Object> source, int defaultMode,
            String kind, String name, boolean optional) throws VolumeFailure {
        Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
        List<Map<String, Object>> items = list(source.get("items"));
        if (items.isEmpty()) {
            data.forEach((key, value) -> files.put(key, new AtomicWriter.Payload(value, defaultMode)));
            return files;
        }
        for (Map<String, Object> item : items) {
            String key = string(item, "key");
            byte[] value = data.get(key);
            if (value == null) {
                if (optional) {
                    continue;
                }
                throw new VolumeFailure(("ConfigMap".equals(kind) ? "configmap references non-existent config key: "
                        : "references non-existent secret key: ") + key + " (" + kind + " " + name + ")");
            }
            files.put(string(item, "path"), new AtomicWriter.Payload(value, mode(item, "mode", defaultMode)));
        }
        return files;
    }

    private static Map<String, AtomicWriter.Payload> downward(VolumeRequest request, List<Map<String, Object>> items, int defaultMode)
            throws VolumeFailure {
        Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
        for (Map<String, Object> item : items) {
            String value;
            if (item.get("fieldRef") != null) {
                String path = string(map(item.get("fieldRef")), "fieldPath");
                if ("metadata.labels".equals(path) || "metadata.annotations".equals(path)) {
                    StringBuilder text = new StringBuilder();
                    new TreeMap<>(strings(map(request.pod().get("metadata")).get(path.substring("metadata.".length()))))
                            .forEach((k, v) -> text.append(k).append("=\"").append(v.replace("\"", "\\\"")).append("\"\n"));
                    value = text.toString().strip();
                } else {
                    value = request.fields().field(path);
                }
            } else if (item.get("resourceFieldRef") != null) {
                Map<String, Object> ref = map(item.get("resourceFieldRef"));
                Object divisor = ref.get("divisor");
                value = request.fields().resource(string(ref, "containerName"), string(ref, "resource"),
                        divisor == null ? null : divisor.toString());
            } else {
                throw new VolumeFailure("downwardAPI item " + item.get("path") + " names no field");
            }
            files.put(string(item, "path"), new AtomicWriter.Payload(value.getBytes(StandardCharsets.UTF_8),
                    mode(item, "mode", defaultMode)));
        }
        return files;
    }

    private static String namespace(VolumeRequest request) {
        return (String) map(request.pod().get("metadata")).get("namespace");
    }

    private static int mode(Map<String, Object> source) {
        return mode(source, "defaultMode", 0644);
    }

    private static int mode(Map<String, Object> object, String key, int fallback) {
        return object.get(key) instanceof Number number ? number.intValue() : fallback;
    }

    // The trees come from the API server's JSON through the kubelet: their shapes are the API's.

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(Object value) {
        return value == null ? Map.of() : (Map<String, String>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    private static String string(Map<String, Object> object, String key) {
        Object value = object.get(key);
        return value == null ? null : value.toString();
    }
}

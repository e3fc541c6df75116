package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubundle.cli.kube.Manifests.Manifest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ManifestsTest {
    private final Manifests manifests = new Manifests(new ObjectMapper());

    @TempDir
    Path dir;

    @Test
    void multiDocumentYaml() throws Exception {
        List<Manifest> objects = manifests.parse("""
                # a comment
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: a
                ---
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: c
                  namespace: a
                  creationTimestamp: 2020-01-02T03:04:05Z
                data:
                  port: "80"
                  enabled: yes
                """, "f.yml");
        assertEquals(2, objects.size());
        assertEquals("Namespace", objects.get(0).kind());
        Manifest configMap = objects.get(1);
        assertEquals(List.of("ConfigMap", "c", "a", "f.yml"), List.of(configMap.kind(), configMap.name(), configMap.namespace(),
                configMap.source()));
        // timestamps stay strings; YAML 1.1 booleans are booleans, as Kubernetes' YAML reads them
        assertEquals("2020-01-02T03:04:05Z", configMap.object().at("/metadata/creationTimestamp").textValue());
        assertEquals("80", configMap.object().at("/data/port").textValue());
        assertTrue(configMap.object().at("/data/enabled").isBoolean());
    }

    @Test
    void jsonValuesArraysAndLists() throws Exception {
        List<Manifest> objects = manifests.parse("""
                {"apiVersion":"v1","kind":"List","items":[
                  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}},
                  {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}}]}
                {"apiVersion":"v1","kind":"ConfigMap"}
                """, "f.json");
        assertEquals(List.of("Pod", "Service", "ConfigMap"), objects.stream().map(Manifest::kind).toList());
        assertTrue(objects.get(2).object().path("metadata").isObject(), "metadata is always there");
        assertEquals(List.of("Pod"), manifests.parse("[{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}]", "x").stream()
                .map(Manifest::kind).toList());
    }

    @Test
    void filesDirectoriesAndStdin() throws Exception {
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n");
        Files.writeString(dir.resolve("a.json"), "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/c.yml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: c}\n");
        ByteArrayInputStream stdin = new ByteArrayInputStream("apiVersion: v1\nkind: Pod\nmetadata: {name: d}\n"
                .getBytes(StandardCharsets.UTF_8));

        List<Manifest> objects = manifests.read(List.of(dir.toString(), "-"), false, stdin);
        assertEquals(List.of("a", "b", "d"), objects.stream().map(Manifest::name).toList());
        assertEquals("STDIN", objects.get(2).source());
        assertEquals(List.of("a", "b", "c"), manifests.read(List.of(dir.toString()), true, stdin).stream()
                .map(Manifest::name).toList());
    }

    @Test
    void errorsNameTheSource() {
        CommandException noKind = assertThrows(CommandException.class, () -> manifests.parse("apiVersion: v1\n", "x.yml"));
        assertTrue(noKind.getMessage().startsWith("unable to decode \"x.yml\": Object 'Kind' is missing"), noKind.getMessage());
        CommandException bad = assertThrows(CommandException.class, () -> manifests.parse("a: [b\n", "y.yml"));
        assertTrue(bad.getMessage().startsWith("error parsing y.yml: "), bad.getMessage());
        CommandException missing = assertThrows(CommandException.class, () -> manifests.read(List.of(dir.resolve("none.yml")
                .toString()), false, null));
        assertEquals("the path \"" + dir.resolve("none.yml") + "\" does not exist", missing.getMessage());
    }

    @Test
    void patchesMayBeJsonOrYaml() throws Exception {
        assertEquals("{\"spec\":{\"replicas\":3}}", manifests.value("{\"spec\":{\"replicas\":3}}").toString());
        assertEquals("{\"spec\":{\"replicas\":3}}", manifests.value("spec:\n  replicas: 3\n").toString());
    }

    @Test
    void yamlAndJsonOutputSortKeysAndQuoteLikeKubectl() throws Exception {
        ObjectFormat format = new ObjectFormat(new ObjectMapper());
        var object = new ObjectMapper().readTree("""
                {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","resourceVersion":"17",
                 "creationTimestamp":"2020-01-02T03:04:05Z"},"data":{"script":"a\\nb\\n","on":"yes","json":"{\\"a\\":1}"},"e":[],"o":{}}""");
        assertEquals("""
                apiVersion: v1
                data:
                  json: '{"a":1}'
                  "on": "yes"
                  script: |
                    a
                    b
                e: []
                kind: ConfigMap
                metadata:
                  creationTimestamp: "2020-01-02T03:04:05Z"
                  name: c
                  resourceVersion: "17"
                o: {}
                """, format.yaml(object));
        assertEquals("""
                {
                    "apiVersion": "v1",
                    "e": [],
                    "o": {}
                }
                """, format.json(new ObjectMapper().readTree("{\"o\":{},\"e\":[],\"apiVersion\":\"v1\"}")));
    }
}

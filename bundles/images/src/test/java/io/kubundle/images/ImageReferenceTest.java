package io.kubundle.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
    static final String D = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
        "busybox, docker.io/library/busybox:latest",
        "nginx:1.7.9, docker.io/library/nginx:1.7.9",
        "library/nginx, docker.io/library/nginx:latest",
        "docker.io/busybox, docker.io/library/busybox:latest",
        "index.docker.io/library/busybox:1, docker.io/library/busybox:1",
        "bitnami/redis:7.2, docker.io/bitnami/redis:7.2",
        "localhost/app, localhost/app:latest",
        "localhost:5000/app:v1, localhost:5000/app:v1",
        "registry:5000/x/y, registry:5000/x/y:latest",
        "quay.io/coreos/etcd:v3.5.0, quay.io/coreos/etcd:v3.5.0",
        "gcr.io/a/b/c/d, gcr.io/a/b/c/d:latest",
        "my-registry.example.com:443/team/app_name__x:1.0-rc.1, my-registry.example.com:443/team/app_name__x:1.0-rc.1",
        "[::1]:5000/app, [::1]:5000/app:latest",
    })
    void normalizesAsDocker(String in, String expected) {
        assertEquals(expected, ImageReference.parse(in).toString());
    }

    @Test
    void digestReferencesKeepNoDefaultTag() {
        ImageReference r = ImageReference.parse("registry:5000/x/y@" + D);
        assertEquals("registry:5000", r.domain());
        assertEquals("x/y", r.path());
        assertEquals("registry:5000/x/y", r.repository());
        assertNull(r.tag());
        assertEquals(D, r.digest());
        assertEquals("registry:5000/x/y@" + D, r.toString());

        ImageReference both = ImageReference.parse("nginx:1.7.9@" + D);
        assertEquals("1.7.9", both.tag());
        assertEquals("docker.io/library/nginx:1.7.9@" + D, both.toString());
    }

    @Test
    void aHostWithoutDotOrPortIsAPathComponent() {
        ImageReference r = ImageReference.parse("registry/x/y");
        assertEquals("docker.io", r.domain());
        assertEquals("registry/x/y", r.path());
    }

    @Test
    void equalWhenTheyNormalizeAlike() {
        assertEquals(ImageReference.parse("busybox"), ImageReference.parse("docker.io/library/busybox:latest"));
        assertEquals(ImageReference.parse("busybox").hashCode(), ImageReference.parse("index.docker.io/busybox:latest").hashCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "Busybox", "docker.io/Library/busybox", "busybox:", "busybox:-tag", "a//b", "/busybox",
        "busybox/", "busybox@sha256:abc", "busybox@sha256:" + "AB" + "ab", "busy box", "x/y@",
        "abababababababababababababababababababababababababababababababab", "-foo", "foo-", "foo..bar",
        "exa_mple.com:80/x", "host:port/x",
    })
    void refusesInvalidReferences(String in) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(in));
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void tooLongTagOrNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("busybox:" + "a".repeat(129)));
        ImageReference.parse("busybox:" + "a".repeat(128));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("x/" + "a".repeat(250)));
    }

    @Test
    void uppercaseNameSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("Busybox"));
        assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
    }
}

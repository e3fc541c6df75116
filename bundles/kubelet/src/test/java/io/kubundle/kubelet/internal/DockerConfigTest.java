package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kubundle.api.runtime.ImageService.RegistryCredentials;

class DockerConfigTest {
    @Test
    void readsUserAndPasswordOrTheAuthFieldAndNormalizesDockerHub() throws Exception {
        String config = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
                + "\"registry.example:5000\":{\"username\":\"bob\",\"password\":\"secret\"},"
                + "\"empty.example\":{}}}";
        assertEquals(List.of(new RegistryCredentials("docker.io", "user", "pa:ss"),
                new RegistryCredentials("registry.example:5000", "bob", "secret")),
                DockerConfig.parse(new ObjectMapper().readTree(config)));
    }

    @Test
    void aCredentialNeverPrintsItsPassword() {
        assertEquals("RegistryCredentials[docker.io, user, ****]", new RegistryCredentials("docker.io", "user", "pw").toString());
    }
}

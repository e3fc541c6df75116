package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

final class TokenFileAuthenticatorTest {
    @TempDir
    Path dataDir;

    @Test
    void followsTheFileAsItAppearsChangesAndGoes() throws Exception {
        Path file = dataDir.resolve(TokenFileAuthenticator.FILE_NAME);
        TokenFileAuthenticator authenticator = new TokenFileAuthenticator(file);
        assertEquals(Optional.empty(), authenticator.authenticate(bearer("t1")));

        Files.writeString(file, "t1,alice,1\n");
        assertEquals(Optional.of("alice"), authenticator.authenticate(bearer("t1")).map(UserInfo::name));

        // replaced by rename, as editors and config tools do
        Path next = dataDir.resolve("next.csv");
        Files.writeString(next, "t2,bob,2,admins\n");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(Optional.empty(), authenticator.authenticate(bearer("t1")));
        assertEquals(Optional.of(List.of("admins", UserInfo.ALL_AUTHENTICATED)),
                authenticator.authenticate(bearer("t2")).map(UserInfo::groups));

        // rewritten in place with a different length
        Files.writeString(file, "t3,carol,3\n");
        assertEquals(Optional.of("carol"), authenticator.authenticate(bearer("t3")).map(UserInfo::name));

        Files.delete(file);
        assertEquals(Optional.empty(), authenticator.authenticate(bearer("t3")));
    }

    @Test
    void leavesOtherCredentialsToOtherAuthenticators() throws Exception {
        Path file = dataDir.resolve(TokenFileAuthenticator.FILE_NAME);
        Files.writeString(file, "t1,alice,1\n");
        TokenFileAuthenticator authenticator = new TokenFileAuthenticator(file);
        assertEquals(Optional.empty(), authenticator.authenticate(new Credentials(List.of(), null)));
        assertEquals(Optional.empty(), authenticator.authenticate(new Credentials(List.of(), "Basic dDE6")));
        assertEquals(Optional.empty(), authenticator.authenticate(bearer("unknown")));
        assertEquals(Optional.of("alice"),
                authenticator.authenticate(new Credentials(List.of(), "bearer t1")).map(UserInfo::name));
    }

    private static Credentials bearer(String token) {
        return new Credentials(List.of(), "Bearer " + token);
    }
}

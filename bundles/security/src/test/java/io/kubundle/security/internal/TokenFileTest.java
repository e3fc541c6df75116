package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.kubundle.api.auth.UserInfo;

final class TokenFileTest {

    @Test
    void readsKubernetesTokenFiles() {
        TokenFile tokens = TokenFile.parse("""
                31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"system:masters,dev ops, qa"
                s3cret,bob,1002,readers
                nogroups,carol,1003
                "quoted,token",dave,1004,""
                """, "tokens.csv");
        assertEquals(List.of(), tokens.problems());
        assertEquals(4, tokens.size());
        assertEquals(Optional.of(new UserInfo("alice", "1001",
                List.of("system:masters", "dev ops", "qa", UserInfo.ALL_AUTHENTICATED), Map.of())),
                tokens.find("31ada4fd-adec-460c-809a-9e56ceb75269"));
        assertEquals(List.of("readers", UserInfo.ALL_AUTHENTICATED), tokens.find("s3cret").orElseThrow().groups());
        assertEquals(List.of(UserInfo.ALL_AUTHENTICATED), tokens.find("nogroups").orElseThrow().groups());
        assertEquals("dave", tokens.find("quoted,token").orElseThrow().name());
        assertEquals(Optional.empty(), tokens.find("s3cre"));
        assertEquals(Optional.empty(), tokens.find(""));
    }

    @Test
    void reportsAndSkipsBadLines() {
        TokenFile tokens = TokenFile.parse("good,alice,1\n"
                + "\n"
                + "short,bob\n"
                + ",carol,3\n"
                + "unterminated,dave,4,\"a,b\n"
                + "x\"y,erin,5\n"
                + "nouser,,6\n"
                + "after,frank,7,\"g\"h\n"
                + "good,grace,8\r\n", "tokens.csv");
        assertEquals(List.of(
                "tokens.csv line 3: must have at least 3 columns (token, user name, user uid), found 2; line skipped",
                "tokens.csv line 4: empty token; line skipped",
                "tokens.csv line 5: unterminated quoted field; line skipped",
                "tokens.csv line 6: a quote inside unquoted field 1; line skipped",
                "tokens.csv line 7: empty user name; line skipped",
                "tokens.csv line 8: unexpected text after a closing quote in field 4; line skipped",
                "tokens.csv line 9: the same token as line 1; this line wins"), tokens.problems());
        assertEquals(1, tokens.size());
        assertEquals("grace", tokens.find("good").orElseThrow().name());
    }

    @Test
    void splitsCsvFieldsAsGoDoes() {
        assertEquals(List.of("a", "b,c", "d\"e", ""), TokenFile.fields("a,\"b,c\",\"d\"\"e\","));
        assertEquals(List.of("", ""), TokenFile.fields(","));
        assertEquals(List.of(" a ", " b"), TokenFile.fields(" a , b"));
        assertThrows(IllegalArgumentException.class, () -> TokenFile.fields(" \"a\""));
    }

    @Test
    void anEmptyFileHasNoTokens() {
        assertEquals(0, TokenFile.parse("", "tokens.csv").size());
        assertTrue(TokenFile.EMPTY.find("anything").isEmpty());
    }
}

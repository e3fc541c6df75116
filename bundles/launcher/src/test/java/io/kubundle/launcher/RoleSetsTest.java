package io.kubundle.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleSetsTest {
    @TempDir
    Path dir;

    private RoleSets roles(String text) throws Exception {
        Path file = dir.resolve("roles.properties");
        Files.writeString(file, text);
        return RoleSets.load(file);
    }

    private Path bundles(String... names) throws IOException {
        Path bundles = Files.createDirectories(dir.resolve("bundles"));
        for (String name : names) {
            Files.writeString(bundles.resolve(name), "");
        }
        return bundles;
    }

    @Test
    void includesExpandInPlaceAndRepeatsCollapse() throws Exception {
        RoleSets roles = roles("core = a-*.jar, b.jar\nmaster = @core, m.jar\nnode = @core, n.jar\nup = @master, @node\n");
        assertEquals(List.of("a-*.jar", "b.jar", "m.jar", "n.jar"), roles.patterns("up"));
    }

    @Test
    void jarsFollowTheListedOrder() throws Exception {
        Path bundles = bundles("a-1.0.jar", "b.jar", "m.jar");
        RoleSets roles = roles("core = b.jar, a-*.jar\nmaster = @core, m.jar\n");
        assertEquals(List.of(bundles.resolve("b.jar"), bundles.resolve("a-1.0.jar"), bundles.resolve("m.jar")),
                roles.jars("master", bundles));
    }

    @Test
    void aChoicePicksTheFirstJarWhenTheHostHasTheCommand() throws Exception {
        Path file = dir.resolve("roles.properties");
        Files.writeString(file, "node = n.jar, proxy-iptables-*.jar if iptables else proxy-userspace-*.jar, dns.jar\n");
        assertEquals(List.of("n.jar", "proxy-iptables-*.jar", "dns.jar"),
                RoleSets.load(file, "iptables"::equals).patterns("node"));
        assertEquals(List.of("n.jar", "proxy-userspace-*.jar", "dns.jar"),
                RoleSets.load(file, command -> false).patterns("node"));
    }

    @Test
    void aChoiceLooksInThePath() throws Exception {
        assertTrue(RoleSets.onPath("sh"));
        assertEquals(false, RoleSets.onPath("no-such-command-" + System.nanoTime()));
    }

    @Test
    void anEntryThatIsNeitherAJarNorAChoiceIsRefused() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> roles("node = a.jar if iptables\n").patterns("node"));
        assertEquals("role 'node': cannot read \"a.jar if iptables\" in roles.properties: a jar, @role, or JAR if COMMAND else JAR",
                e.getMessage());
    }

    @Test
    void anUnknownRoleListsTheKnownOnes() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> roles("up = x.jar\nnode = y.jar\n").patterns("mastr"));
        assertEquals("unknown role 'mastr': roles.properties defines node, up", e.getMessage());
    }

    @Test
    void anUnknownIncludeNamesItsIncluder() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> roles("up = @core\n").patterns("up"));
        assertTrue(e.getMessage().startsWith("unknown role 'core' (included by @up)"), e.getMessage());
    }

    @Test
    void aCycleIsRefused() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> roles("a = @b\nb = @a\n").patterns("a"));
        assertEquals("role 'a' includes itself: a -> @b -> @a", e.getMessage());
    }

    @Test
    void aMissingOrAmbiguousJarIsRefused() throws Exception {
        Path bundles = bundles("x-1.jar", "x-2.jar");
        LaunchException missing = assertThrows(LaunchException.class, () -> roles("r = y-*.jar\n").jars("r", bundles));
        assertTrue(missing.getMessage().contains("needs y-*.jar"), missing.getMessage());
        LaunchException ambiguous = assertThrows(LaunchException.class, () -> roles("r = x-*.jar\n").jars("r", bundles));
        assertTrue(ambiguous.getMessage().contains("matches several jars"), ambiguous.getMessage());
    }

    @Test
    void substitutionFillsKnownNamesOnly() {
        assertEquals("/opt/k/plugins and ${other}",
                Launcher.substitute("${kubundle.home}/plugins and ${other}", java.util.Map.of("kubundle.home", "/opt/k")));
    }
}

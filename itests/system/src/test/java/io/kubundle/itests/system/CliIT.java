package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubundle command as a user meets it: version, help, errors, and the CLI on the plain module path. */
class CliIT {
    @TempDir
    static Path dir;

    static Distribution distribution;

    @BeforeAll
    static void copyDistribution() throws Exception {
        distribution = Distribution.copyInto(dir);
    }

    @Test
    void versionRunsOnThePlainModulePath() throws Exception {
        // no bin script, no OSGi: the JDK's module system alone resolves io.kubundle.cli and what it requires
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Distribution.Result result = Distribution.run(List.of(java.toString(), "--module-path",
                distribution.home.resolve("lib").toString(), "-m", "io.kubundle.cli", "version"));
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().startsWith("kubundle 0.1.0"), result.out());

        Distribution.Result module = Distribution.run(List.of(java.toString(), "--module-path",
                distribution.home.resolve("lib").toString(), "--describe-module", "io.kubundle.cli"));
        assertTrue(module.out().contains("requires info.picocli"), module.out());
        assertTrue(module.out().contains("requires io.kubundle.client"), module.out());
    }

    @Test
    void theBinScriptRunsVersionAndHelp() throws Exception {
        Distribution.Result version = distribution.kubundle("version");
        assertEquals(0, version.exitCode(), version.err());
        assertTrue(version.out().startsWith("kubundle 0.1.0"), version.out());

        Distribution.Result help = distribution.kubundle("--help");
        assertEquals(0, help.exitCode(), help.err());
        for (String command : List.of("up", "master", "node", "bundles", "version", "sim-nodes", "cluster", "image", "get",
                "apply", "delete", "describe", "logs", "scale", "rollout", "label", "taint")) {
            assertTrue(help.out().contains("  " + command), command + " missing from:\n" + help.out());
        }
        Distribution.Result upHelp = distribution.kubundle("up", "--help");
        assertEquals(0, upHelp.exitCode(), upHelp.err());
        assertTrue(upHelp.out().contains("--data-dir"), upHelp.out());
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() throws Exception {
        Distribution.Result unknown = distribution.kubundle("frobnicate");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("frobnicate"), unknown.err());
        assertTrue(!unknown.err().contains("\tat "), unknown.err());

        Distribution.Result noProcess = distribution.kubundle("bundles", "list", "--data-dir", dir.resolve("nothing").toString());
        assertEquals(1, noProcess.exitCode());
        assertEquals(1, noProcess.errLines().size(), noProcess.err());
        assertTrue(noProcess.err().startsWith("kubundle: no Kubundle process is running"), noProcess.err());

        Distribution.Result badRole = distribution.kubundle("node", "--data-dir", dir.resolve("n").toString());
        assertEquals(2, badRole.exitCode(), "node without --server is a usage error");
        assertTrue(!badRole.err().contains("\tat "), badRole.err());
    }

    @Test
    void aSecondProcessOnTheSameDataDirIsRefused() throws Exception {
        Path data = dir.resolve("shared");
        try (KubundleProcess first = KubundleProcess.start(distribution, data, "up")) {
            Distribution.Result second = distribution.kubundle("up", "--data-dir", data.toString());
            assertEquals(1, second.exitCode());
            assertEquals("kubundle: another Kubundle process is using the data dir " + data.toAbsolutePath(), second.err().strip());
        }
    }
}

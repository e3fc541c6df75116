package io.kubundle.cli.commands;

import io.kubundle.launcher.LaunchException;
import io.kubundle.launcher.LaunchOptions;
import io.kubundle.launcher.Launcher;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of the commands that run Kubundle in this process, and the running itself. */
final class ProcessOptions {
    static final String DATA_DIR_DEFAULT = "${env:KUBUNDLE_DATA_DIR:-${sys:user.home}/.kubundle}";
    static final String DATA_DIR_DESCRIPTION =
            "Data directory of the process (default: $KUBUNDLE_DATA_DIR, else ~/.kubundle).";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DATA_DIR_DEFAULT,
            description = DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--etc-dir", paramLabel = "DIR",
            description = "Configuration directory of the process (default: the distribution's etc/).")
    Path etcDir;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the admin endpoint; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int adminPort;

    /** Starts {@code role} and blocks until it stops; the launcher prints the "ready" line. */
    int run(String role, Map<String, String> properties) throws LaunchException, InterruptedException {
        Map<String, String> all = new HashMap<>(properties);
        all.put("kubundle.admin.port", port("--admin-port", adminPort));
        if (etcDir != null) {
            all.put(Launcher.ETC_DIR, etcDir.toAbsolutePath().toString());
        }
        // bin/kubundle sets it; without it there are no bundles to start
        String home = System.getProperty(Launcher.HOME);
        if (home == null || home.isBlank()) {
            throw new LaunchException(Launcher.HOME + " is not set: run through bin/kubundle");
        }
        Launcher launcher = Launcher.start(new LaunchOptions(role, Path.of(home), dataDir, all));
        // Ctrl-C or a kill stops the bundles cleanly; stop() is idempotent, so a framework that
        // stopped by itself first does no harm
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "kubundle-stop"));
        launcher.awaitStop();
        return 0;
    }

    /** The port as a property value; out of range is a usage error. */
    String port(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new ParameterException(mixee.commandLine(),
                    "Invalid value for option '" + option + "': " + port + " is not a port (0 to 65535)");
        }
        return Integer.toString(port);
    }
}

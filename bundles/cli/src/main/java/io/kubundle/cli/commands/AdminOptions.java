package io.kubundle.cli.commands;

import io.kubundle.client.admin.AdminClient;
import io.kubundle.client.admin.AdminException;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** Which process to talk to: the one using a data dir, or the admin endpoint at a URL. */
final class AdminOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ProcessOptions.DATA_DIR_DEFAULT,
            description = ProcessOptions.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--admin", paramLabel = "URL",
            description = "URL of the admin endpoint, for a process whose data dir is not at hand.")
    URI admin;

    // the token comes from the environment by default so that it stays out of shell history and ps
    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:KUBUNDLE_ADMIN_TOKEN}",
            description = "Bearer token for --admin (default: $KUBUNDLE_ADMIN_TOKEN).")
    String token;

    AdminClient client() throws AdminException {
        ParseResult parsed = mixee.commandLine().getParseResult();
        if (admin == null) {
            if (parsed.hasMatchedOption("--token")) {
                throw new ParameterException(mixee.commandLine(), "--token goes with --admin");
            }
            return AdminClient.forDataDir(dataDir);
        }
        if (parsed.hasMatchedOption("--data-dir")) {
            throw new ParameterException(mixee.commandLine(), "--admin and --data-dir exclude each other");
        }
        try {
            return AdminClient.forUrl(admin, token);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "Invalid value for option '--admin': " + e.getMessage());
        }
    }
}

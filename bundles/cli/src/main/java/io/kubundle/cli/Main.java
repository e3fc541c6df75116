package io.kubundle.cli;

import io.kubundle.cli.commands.KubundleCommand;
import io.kubundle.cli.commands.NotAvailableCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code kubundle} command: every failure is one line on stderr and a non-zero exit code. */
public final class Main {
    private static final String PREFIX = "kubundle: ";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree with its error handling; callers may still redirect its out and err. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new KubundleCommand());
        NotAvailableCommand.addTo(commandLine);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler(Main::failure);
        return commandLine;
    }

    // picocli's message, without the full usage text that would bury it
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println(PREFIX + oneLine(e.getMessage()) + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        printStackTraceIfDebugging(e, command.getErr());
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int failure(Exception e, CommandLine command, ParseResult parsed) {
        String message = e.getMessage();
        command.getErr().println(PREFIX + oneLine(message == null || message.isBlank() ? e.toString() : message));
        printStackTraceIfDebugging(e, command.getErr());
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    private static void printStackTraceIfDebugging(Exception e, PrintWriter err) {
        if ("1".equals(System.getenv("KUBUNDLE_DEBUG"))) {
            e.printStackTrace(err);
        }
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}

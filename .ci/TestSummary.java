import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Prints one "N passed, N failed, N skipped" line for the whole build from every JUnit XML report:
 * Surefire's, Failsafe's and bnd-testing's (target/test-reports), so a run that executed no test
 * shows. Exits 1 when a test failed or none ran.
 */
public class TestSummary {
    private static final Pattern SUITE = Pattern.compile("<testsuite\\b([^>]*)>");

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        long tests = 0, failed = 0, skipped = 0, flaky = 0;
        List<Path> reports;
        try (Stream<Path> files = Files.walk(root)) {
            reports = files.filter(p -> p.toString().endsWith(".xml"))
                    .filter(p -> p.toString().contains("/target/surefire-reports/")
                            || p.toString().contains("/target/failsafe-reports/")
                            || p.toString().contains("/target/test-reports/"))
                    .filter(p -> !p.getFileName().toString().equals("failsafe-summary.xml"))
                    .toList();
        }
        for (Path report : reports) {
            String text = Files.readString(report);
            // a test that failed, then passed when run again (failsafe's rerunFailingTestsCount)
            flaky += text.split("<flakyFailure|<flakyError", -1).length - 1;
            Matcher suite = SUITE.matcher(text);
            while (suite.find()) {
                String attributes = suite.group(1);
                tests += attribute(attributes, "tests");
                failed += attribute(attributes, "failures") + attribute(attributes, "errors");
                skipped += attribute(attributes, "skipped");
            }
        }
        long passed = tests - failed - skipped;
        System.out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped"
                + (flaky > 0 ? " (" + flaky + " failures passed on a rerun: see flakyFailure in the reports)" : ""));
        if (failed > 0 || tests == 0) {
            System.exit(1);
        }
    }

    private static long attribute(String attributes, String name) {
        Matcher value = Pattern.compile("\\b" + name + "=\"(\\d+)\"").matcher(attributes);
        return value.find() ? Long.parseLong(value.group(1)) : 0;
    }
}

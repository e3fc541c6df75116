package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Objects from {@code -f} arguments: files, directories (their .yaml, .yml and .json files) and
 * {@code -} for standard input; multi-document YAML, JSON (one value, several, or an array), and
 * {@code List} kinds, whose items are read one by one.
 */
public final class Manifests {
    private static final int MAX_BYTES = 16 << 20;

    /** One object and where it came from (a file name, or {@code STDIN}). */
    public record Manifest(ObjectNode object, String source) {
        public String apiVersion() {
            return object.path("apiVersion").asText();
        }

        public String kind() {
            return object.path("kind").asText();
        }

        public String name() {
            return object.path("metadata").path("name").asText("");
        }

        public String namespace() {
            return object.path("metadata").path("namespace").asText("");
        }
    }

    private final ObjectMapper json;

    public Manifests(ObjectMapper json) {
        this.json = json;
    }

    /** Every object of every argument, in order. */
    public List<Manifest> read(List<String> filenames, boolean recursive, InputStream stdin) throws CommandException {
        if (filenames.isEmpty()) {
            throw new CommandException("must specify one of -f and -k");
        }
        List<Manifest> all = new ArrayList<>();
        for (String filename : filenames) {
            if (filename.equals("-")) {
                all.addAll(parse(readStdin(stdin), "STDIN"));
                continue;
            }
            Path path = Path.of(filename);
            if (Files.isDirectory(path)) {
                for (Path file : filesIn(path, recursive)) {
                    all.addAll(parse(readFile(file), file.toString()));
                }
            } else if (Files.isRegularFile(path)) {
                all.addAll(parse(readFile(path), filename));
            } else {
                throw new CommandException("the path \"" + filename + "\" does not exist");
            }
        }
        return all;
    }

    private static List<Path> filesIn(Path dir, boolean recursive) throws CommandException {
        try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> f.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
        } catch (IOException e) {
            throw new CommandException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String readFile(Path file) throws CommandException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new CommandException(file + " is over " + MAX_BYTES + " bytes");
            }
            return Files.readString(file);
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readStdin(InputStream stdin) throws CommandException {
        try {
            return new String(stdin.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    /** The objects in one text, YAML or JSON. */
    public List<Manifest> parse(String text, String source) throws CommandException {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String start = body.stripLeading();
        List<JsonNode> documents = new ArrayList<>();
        try {
            if (start.startsWith("{") || start.startsWith("[")) {
                try (MappingIterator<JsonNode> values = json.readerFor(JsonNode.class).readValues(body)) {
                    while (values.hasNext()) {
                        JsonNode value = values.next();
                        if (value.isArray()) {
                            value.forEach(documents::add);
                        } else {
                            documents.add(value);
                        }
                    }
                }
            } else {
                for (Object document : yaml().loadAll(body)) {
                    if (document != null) {
                        documents.add(json.valueToTree(document));
                    }
                }
            }
        } catch (IOException | YAMLException | IllegalArgumentException e) {
            throw new CommandException("error parsing " + source + ": " + e.getMessage().strip(), e);
        }
        List<Manifest> objects = new ArrayList<>();
        for (JsonNode document : documents) {
            add(document, source, objects);
        }
        return objects;
    }

    /** One value written as JSON or YAML, such as a patch. */
    public JsonNode value(String text) throws CommandException {
        try {
            return json.readTree(text);
        } catch (IOException notJson) {
            try {
                return json.valueToTree(yaml().load(text));
            } catch (YAMLException | IllegalArgumentException e) {
                throw new CommandException("neither JSON nor YAML: " + e.getMessage().strip(), e);
            }
        }
    }

    private static void add(JsonNode document, String source, List<Manifest> into) throws CommandException {
        if (!(document instanceof ObjectNode object)) {
            throw new CommandException("error parsing " + source + ": an object must be a map, not " + document.getNodeType());
        }
        if (object.path("kind").asText("").endsWith("List") && object.path("items").isArray()) {
            for (JsonNode item : object.path("items")) {
                add(item, source, into);
            }
            return;
        }
        if (object.path("kind").asText("").isEmpty()) {
            throw new CommandException("unable to decode \"" + source + "\": Object 'Kind' is missing in '" + object + "'");
        }
        if (object.path("apiVersion").asText("").isEmpty()) {
            throw new CommandException("unable to decode \"" + source + "\": Object 'apiVersion' is missing in '" + object + "'");
        }
        if (!object.path("metadata").isObject()) {
            object.putObject("metadata");
        }
        into.add(new Manifest(object, source));
    }

    // safe types only, with limits; timestamps stay strings, as Kubernetes reads them
    private static Yaml yaml() {
        LoaderOptions limits = new LoaderOptions();
        limits.setMaxAliasesForCollections(50);
        limits.setNestingDepthLimit(100);
        limits.setCodePointLimit(MAX_BYTES);
        return new Yaml(new StringTimestamps(limits));
    }

    private static final class StringTimestamps extends SafeConstructor {
        StringTimestamps(LoaderOptions options) {
            super(options);
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }
    }
}

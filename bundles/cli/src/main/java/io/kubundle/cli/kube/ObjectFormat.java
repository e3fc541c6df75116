package io.kubundle.cli.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Objects as {@code -o yaml} and {@code -o json} print them: keys sorted, JSON indented by four
 * spaces, YAML in block style with multi-line strings as literal blocks.
 */
public final class ObjectFormat {
    private final ObjectWriter jsonWriter;
    private final Yaml yaml;

    public ObjectFormat(ObjectMapper json) {
        Separators separators = Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
        this.jsonWriter = json.writer(new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setSplitLines(false);
        options.setWidth(Integer.MAX_VALUE);
        this.yaml = new Yaml(new LiteralBlocks(options), options);
    }

    public String json(JsonNode object) {
        try {
            return jsonWriter.writeValueAsString(plain(object)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String yaml(JsonNode object) {
        return yaml.dump(plain(object));
    }

    /** The tree as maps (sorted by key), lists and scalars. */
    static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                map.put(field.getKey(), plain(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        return node.asText();
    }

    private static final class LiteralBlocks extends Representer {
        LiteralBlocks(DumperOptions options) {
            super(options);
            Resolver resolver = new Resolver();
            // as Go's YAML writes them: a string that would read back as another type in double quotes
            representers.put(String.class, data -> {
                String text = (String) data;
                DumperOptions.ScalarStyle style = text.contains("\n") ? DumperOptions.ScalarStyle.LITERAL
                        : resolver.resolve(NodeId.scalar, text, true).equals(Tag.STR) ? DumperOptions.ScalarStyle.PLAIN
                        : DumperOptions.ScalarStyle.DOUBLE_QUOTED;
                return representScalar(Tag.STR, text, style);
            });
        }
    }
}

package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

@Command(name = "label", description = {"Add, change or remove the labels of resources.",
    "Example: label deploy/web tier=front old-; changing a label's value needs --overwrite."})
final class LabelCommand extends MetadataCommand {
    LabelCommand() {
        super("labels", "label");
    }

    // as kubectl: "unlabeled" when labels were only removed, "not labeled" when nothing changed
    @Override
    String result(ObjectNode changes, boolean changed) {
        if (!changed) {
            return "not labeled";
        }
        for (JsonNode value : (Iterable<JsonNode>) changes::elements) {
            if (!value.isNull()) {
                return "labeled";
            }
        }
        return overwrite ? "labeled" : "unlabeled";
    }
}

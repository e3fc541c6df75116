package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

@Command(name = "annotate", description = {"Add, change or remove the annotations of resources.",
    "Example: annotate pod/web owner=team-a note-; changing a value needs --overwrite."})
final class AnnotateCommand extends MetadataCommand {
    AnnotateCommand() {
        super("annotations", "annotation");
    }

    @Override
    String result(ObjectNode changes, boolean changed) {
        return "annotated";
    }
}

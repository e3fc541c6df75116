package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.api.runtime.ImageService.RegistryCredentials;
import io.kubundle.images.ImageManifest;
import io.kubundle.images.ImageReference;
import io.kubundle.images.ImageStore;
import io.kubundle.images.RegistryPuller;
import io.kubundle.images.StoredImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubundle image}: the node's image store in {@code <data-dir>/images}, used directly (no
 * running process needed). The store locks its files, so this works beside a running node.
 */
@Command(name = "image", description = "Import, pull, list and remove the images that nodes run.",
        subcommands = {ImageCommand.ImportCommand.class, ImageCommand.PullCommand.class, ImageCommand.ListCommand.class,
                ImageCommand.RemoveCommand.class})
final class ImageCommand {
    private static final String[] HEADINGS = {"IMAGE", "TAG", "IMAGE ID", "SIZE"};
    private static final String NONE = "<none>";
    /** crictl shows 13 hex digits of an image id. */
    private static final int SHORT_ID = 13;
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ImageCommand() {
    }

    enum Output { TABLE, JSON }

    /** The store of the data dir, {@code --data-dir} as for the other commands. */
    static final class StoreOptions {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ProcessOptions.DATA_DIR_DEFAULT,
                description = ProcessOptions.DATA_DIR_DESCRIPTION)
        Path dataDir;

        ImageStore store() throws IOException {
            return new ImageStore(dataDir.resolve("images"));
        }

        /** The store if there is one: looking at images must not make a data dir. */
        Optional<ImageStore> existing() throws IOException {
            return Files.isDirectory(dataDir.resolve("images")) ? Optional.of(store()) : Optional.empty();
        }
    }

    @Command(name = "import", description = {"Import the images of docker-archive or OCI-archive tarballs (gzipped or not),",
            "as docker save and skopeo write them."})
    static final class ImportCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "The archives.")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new IOException("no such file: " + file);
                }
            }
            ImageStore store = options.store();
            for (Path file : files) {
                for (String imported : store.importArchive(file)) {
                    spec.commandLine().getOut().println("imported " + imported);
                }
            }
            return 0;
        }
    }

    @Command(name = "pull", description = {"Pull an image from its registry (OCI distribution API; docker.io is Docker Hub,",
            "loopback registries are plain HTTP), even when it is here already."})
    static final class PullCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "REF", description = "The image: busybox, nginx:1.7.9, host:5000/a/b@sha256:...")
        String reference;

        // from the environment by default, so that a password stays out of shell history and ps
        @Option(names = "--creds", paramLabel = "USER:PASSWORD", defaultValue = "${env:KUBUNDLE_REGISTRY_CREDS}",
                description = "Credentials for the image's registry (default: $KUBUNDLE_REGISTRY_CREDS).")
        String creds;

        @Override
        public Integer call() throws IOException {
            checkReference(spec, reference);
            List<RegistryCredentials> credentials = new ArrayList<>();
            if (creds != null && !creds.isEmpty()) {
                int colon = creds.indexOf(':');
                if (colon <= 0) {
                    throw new ParameterException(spec.commandLine(), "--creds takes USER:PASSWORD");
                }
                credentials.add(new RegistryCredentials(ImageReference.parse(reference).domain(), creds.substring(0, colon),
                        creds.substring(colon + 1)));
            }
            ImageManifest pulled;
            try {
                pulled = new RegistryPuller(options.store()).pull(reference, credentials);
            } catch (IOException e) {
                throw new IOException("pulling " + reference + ": " + e.getMessage(), e);
            }
            spec.commandLine().getOut().println("pulled " + ImageReference.parse(reference) + " (" + pulled.manifest().digest() + ")");
            return 0;
        }
    }

    @Command(name = "list", description = "List the images: one line per name, as crictl images prints them.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions options;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table, or json: one object per image with id, repoTags, repoDigests and size (default: ${DEFAULT-VALUE}).")
        Output output;

        @Override
        public Integer call() throws IOException {
            Optional<ImageStore> store = options.existing();
            List<StoredImage> images = store.isPresent() ? store.get().list() : List.of();
            PrintWriter out = spec.commandLine().getOut();
            if (output == Output.JSON) {
                out.println(json(images));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(HEADINGS);
            for (StoredImage image : images) {
                String repository = NONE;
                String tag = NONE;
                if (image.reference() != null) {
                    ImageReference ref = ImageReference.parse(image.reference());
                    repository = ref.repository();
                    tag = ref.tag() == null ? NONE : ref.tag();
                }
                rows.add(new String[] {repository, tag, shortId(image.digest()), humanSize(image.size())});
            }
            Table.print(out, rows);
            return 0;
        }
    }

    @Command(name = "rm", description = {"Remove images by name, name@digest or id (sha256:...),",
            "and every layer no other image uses."})
    static final class RemoveCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions options;

        @Parameters(paramLabel = "REF", arity = "1..*", description = "The images.")
        List<String> references;

        @Override
        public Integer call() throws IOException {
            for (String reference : references) {
                checkReference(spec, reference);
            }
            Optional<ImageStore> store = options.existing();
            int exit = 0;
            for (String reference : references) {
                if (store.isPresent() && store.get().remove(reference)) {
                    spec.commandLine().getOut().println("Deleted: " + reference);
                } else {
                    spec.commandLine().getErr().println("kubundle: no such image: " + reference);
                    exit = 1;
                }
            }
            return exit;
        }
    }

    /** A reference that does not parse is a usage error; a bare {@code sha256:} digest is an id. */
    static void checkReference(CommandSpec spec, String reference) {
        if (reference.matches("sha256:[0-9a-f]{64}")) {
            return;
        }
        try {
            ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** One object per image (a manifest), as crictl's JSON has them. */
    private static String json(List<StoredImage> rows) {
        Map<String, Set<String>> tags = new LinkedHashMap<>();
        Map<String, Set<String>> digests = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (StoredImage row : rows) {
            Set<String> repoTags = tags.computeIfAbsent(row.digest(), id -> new LinkedHashSet<>());
            Set<String> repoDigests = digests.computeIfAbsent(row.digest(), id -> new LinkedHashSet<>());
            sizes.put(row.digest(), row.size());
            if (row.reference() != null) {
                ImageReference ref = ImageReference.parse(row.reference());
                if (ref.tag() != null) {
                    repoTags.add(row.reference());
                }
                repoDigests.add(ref.repository() + "@" + row.digest());
            }
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode doc = mapper.createObjectNode();
        ArrayNode images = doc.putArray("images");
        for (String id : tags.keySet()) {
            ObjectNode image = images.addObject();
            image.put("id", id);
            tags.get(id).forEach(image.putArray("repoTags")::add);
            digests.get(id).forEach(image.putArray("repoDigests")::add);
            image.put("size", sizes.get(id));
        }
        return doc.toPrettyString();
    }

    static String shortId(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(SHORT_ID, hex.length()));
    }

    /** Sizes as crictl prints them: decimal units, three significant digits ({@code 2.21MB}). */
    static String humanSize(long bytes) {
        BigDecimal size = BigDecimal.valueOf(bytes);
        int unit = 0;
        while (size.compareTo(BigDecimal.valueOf(1000)) >= 0 && unit < UNITS.length - 1) {
            size = size.movePointLeft(3);
            unit++;
        }
        return size.round(new MathContext(3)).stripTrailingZeros().toPlainString() + UNITS[unit];
    }
}

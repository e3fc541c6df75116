package io.kubundle.images;

import static io.kubundle.images.TestArchives.gzip;
import static io.kubundle.images.TestArchives.layer;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.images.TestRegistry.Schema1Layer;

/** A Docker schema 1 image for the tests: two layers with content, two throwaway ones, a whiteout. */
public final class Schema1Images {
    /** The lower layer: files the upper one changes and deletes. */
    public static final byte[] LOWER = gzipped(layerOf("etc/motd", "one", "etc/old", "deleted above", "bin/tool", "tool"));
    /** The upper layer: a changed file and a whiteout. */
    public static final byte[] UPPER = gzipped(layerOf("etc/motd", "two", "etc/.wh.old", ""));
    /** An empty tar, gzipped: the blob of throwaway layers. */
    public static final byte[] EMPTY = gzipped(new byte[1024]);

    private Schema1Images() {
    }

    /**
     * Four history entries, newest first as schema 1 lists them: a throwaway layer holding the
     * config (as Docker's last instruction, a CMD, makes it), the upper layer, a throwaway ENV with
     * the same (empty) blob, the lower layer.
     */
    public static List<Schema1Layer> image() {
        ObjectNode top = v1("4", "3", "/bin/sh -c #(nop) CMD [\"cat\" \"/etc/motd\"]", true);
        top.put("architecture", "amd64");
        top.put("os", "linux");
        ObjectNode config = top.putObject("config");
        config.put("Hostname", "builder");
        config.putArray("Env").add("PATH=/usr/bin:/bin").add("GREETING=hello");
        config.putArray("Cmd").add("cat").add("/etc/motd");
        config.put("WorkingDir", "/srv");
        config.putObject("ExposedPorts").putObject("80/tcp");
        return List.of(new Schema1Layer(EMPTY, top),
                new Schema1Layer(UPPER, v1("3", "2", "/bin/sh -c rm /etc/old && echo two > /etc/motd", false)),
                new Schema1Layer(EMPTY, v1("2", "1", "/bin/sh -c #(nop) ENV GREETING=hello", true)),
                new Schema1Layer(LOWER, v1("1", null, "/bin/sh -c #(nop) ADD file:abc in /", false)));
    }

    /** A v1Compatibility document: ids of one repeated character, {@code createdBy} as its container_config.Cmd. */
    static ObjectNode v1(String id, String parent, String createdBy, boolean throwaway) {
        ObjectNode v1 = TestArchives.MAPPER.createObjectNode();
        v1.put("id", id.repeat(64));
        if (parent != null) {
            v1.put("parent", parent.repeat(64));
        }
        v1.put("created", "2015-01-0" + id + "T00:00:00Z");
        v1.putObject("container_config").putArray("Cmd").add("/bin/sh").add("-c").add(createdBy.substring("/bin/sh -c ".length()));
        if (throwaway) {
            v1.put("throwaway", true);
        }
        return v1;
    }

    private static byte[] layerOf(String... pathsAndContents) {
        try {
            return layer(pathsAndContents);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzipped(byte[] tar) {
        try {
            return gzip(tar);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

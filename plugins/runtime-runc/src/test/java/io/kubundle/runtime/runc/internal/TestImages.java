package io.kubundle.runtime.runc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.runtime.support.Commands;

/**
 * An image store with two images of the same layers: {@code test/busybox} (config as given) and
 * {@code test/busybox-app} (the same, running as {@code app:staff}). The layers: one with /bin/busybox (busybox-static)
 * and its applets, /etc/passwd and /etc/group, and a second layer that deletes /etc/motd through
 * an overlayfs whiteout and adds /etc/layer2.
 */
final class TestImages implements ImageService {
    static final String IMAGE = "test/busybox";
    static final String APP_IMAGE = "test/busybox-app";
    static final String ID = "sha256:0123456789abcdef";
    static final List<String> APPLETS = List.of("sh", "echo", "cat", "sleep", "httpd", "wget", "head", "tr", "dd",
            "id", "pwd", "env", "hostname", "touch", "ls", "printf", "true", "false", "seq", "kill", "yes", "ps", "grep",
            "stty", "tty");

    private final List<Path> layers;
    private final ImageConfig config;

    TestImages(Path dir, ImageConfig config) throws IOException {
        this.config = config;
        Path base = Files.createDirectories(dir.resolve("layer1"));
        Files.createDirectories(base.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), base.resolve("bin/busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(base.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(base.resolve("etc"));
        Files.createDirectories(base.resolve("tmp"));
        Files.writeString(base.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/:/bin/sh\n");
        Files.writeString(base.resolve("etc/group"), "root:x:0:\napp:x:1001:\nstaff:x:50:\n");
        Files.writeString(base.resolve("etc/motd"), "deleted by layer 2\n");
        Path top = Files.createDirectories(dir.resolve("layer2/etc"));
        Files.writeString(top.resolve("layer2"), "from layer 2\n");
        Commands.check(List.of("mknod", top.resolve("motd").toString(), "c", "0", "0"), Duration.ofSeconds(10));
        this.layers = List.of(base, dir.resolve("layer2"));
    }

    static ImageConfig shell() {
        return new ImageConfig(List.of(), List.of("sh"), List.of("PATH=/bin", "FROM_IMAGE=yes", "OVERRIDDEN=image"),
                "", "", "");
    }

    @Override
    public ImageInfo pull(String image, List<RegistryCredentials> credentials) throws RuntimeFailure {
        return status(image).orElseThrow(() -> new RuntimeFailure("ErrImagePull", "no " + image));
    }

    @Override
    public Optional<ImageInfo> status(String image) {
        if (APP_IMAGE.equals(image)) {
            ImageConfig app = new ImageConfig(config.entrypoint(), config.cmd(), config.env(), config.workingDir(),
                    "app:staff", config.stopSignal());
            return Optional.of(new ImageInfo(ID, List.of(APP_IMAGE), 2_000_000, app));
        }
        return IMAGE.equals(image) ? Optional.of(new ImageInfo(ID, List.of(IMAGE), 2_000_000, config)) : Optional.empty();
    }

    @Override
    public List<ImageInfo> list() {
        return List.of(status(IMAGE).orElseThrow());
    }

    @Override
    public void remove(String image) {
        throw new UnsupportedOperationException("a test image stays");
    }

    @Override
    public List<Path> layers(String image) throws RuntimeFailure {
        if (status(image).isEmpty()) {
            throw new RuntimeFailure("ImageInspectError", "no " + image);
        }
        return layers;
    }
}

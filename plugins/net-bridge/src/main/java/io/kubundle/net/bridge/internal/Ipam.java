package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.kubundle.api.network.NetworkFailure;

/**
 * Host-local address management, as CNI's {@code host-local}: one file per address given out, named
 * by the address and holding the pod's uid, interface and CIDR. A file is claimed by hard-linking a
 * fully written temporary file to the address's name, which fails if the name exists: threads and
 * processes sharing the directory never give out one address twice, and a reader never sees a
 * half-written claim.
 */
final class Ipam {
    /** Where the addresses are. */
    static final String ADDRESSES = "ips";
    /** The last address given out: the next search starts after it, so a freed address rests a while. */
    static final String LAST_RESERVED = "last-reserved";

    /** An address given to a pod. */
    record Allocation(String ip, String uid, String interfaceName, Cidr cidr) { }

    private static final System.Logger LOG = System.getLogger(Ipam.class.getName());

    private final Path addresses;
    private final Path lastReserved;

    Ipam(Path stateDir) throws NetworkFailure {
        addresses = stateDir.resolve(ADDRESSES);
        lastReserved = stateDir.resolve(LAST_RESERVED);
        try {
            Files.createDirectories(addresses);
        } catch (IOException e) {
            throw new NetworkFailure("cannot create the address directory " + addresses + ": " + e, e);
        }
    }

    /** Every address given out, in no particular order. */
    List<Allocation> all() throws NetworkFailure {
        List<Allocation> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(addresses)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!name.startsWith(".")) {
                    read(file, name).ifPresent(all::add);
                }
            }
        } catch (IOException e) {
            throw new NetworkFailure("cannot read the address directory " + addresses + ": " + e, e);
        }
        return all;
    }

    /** The address of pod {@code uid}, if it has one. */
    Optional<Allocation> find(String uid) throws NetworkFailure {
        return all().stream().filter(allocation -> allocation.uid().equals(uid)).findFirst();
    }

    /** Claims the next free pod address of {@code cidr} for pod {@code uid}. */
    Allocation allocate(String uid, String interfaceName, Cidr cidr) throws NetworkFailure {
        int count = cidr.podCount();
        int start = lastReserved().filter(last -> cidr.contains(last) && last >= cidr.firstPod() && last < cidr.lastPod())
                .map(last -> last + 1 - cidr.firstPod()).orElse(0);
        Path claim = addresses.resolve("." + UUID.randomUUID() + ".claim");
        try {
            Files.writeString(claim, uid + "\n" + interfaceName + "\n" + cidr + "\n", UTF_8);
            for (int i = 0; i < count; i++) {
                int candidate = cidr.firstPod() + (start + i) % count;
                String ip = Cidr.format(candidate);
                if (claim(claim, addresses.resolve(ip))) {
                    rememberLastReserved(ip);
                    return new Allocation(ip, uid, interfaceName, cidr);
                }
            }
        } catch (IOException e) {
            throw new NetworkFailure("cannot claim an address in " + addresses + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(claim);
            } catch (IOException ignored) {
                // a dot file left behind is skipped by every reader
            }
        }
        throw new NetworkFailure("no free address in pod CIDR " + cidr + ": all " + count + " pod addresses are taken");
    }

    /** Releases every address of pod {@code uid}; none is no error. */
    void release(String uid) throws NetworkFailure {
        for (Allocation allocation : all()) {
            if (allocation.uid().equals(uid)) {
                Path file = addresses.resolve(allocation.ip());
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new NetworkFailure("cannot release " + allocation.ip() + " (" + file + "): " + e, e);
                }
            }
        }
    }

    private static boolean claim(Path claim, Path address) throws IOException {
        if (Files.exists(address)) {
            return false;
        }
        try {
            Files.createLink(address, claim);
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        }
    }

    private Optional<Allocation> read(Path file, String ip) throws NetworkFailure {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, UTF_8);
        } catch (NoSuchFileException released) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkFailure("cannot read " + file + ": " + e, e);
        }
        try {
            if (lines.size() >= 3) {
                return Optional.of(new Allocation(ip, lines.get(0), lines.get(1), Cidr.parse(lines.get(2))));
            }
        } catch (NetworkFailure garbled) {
            // fall through: reported below
        }
        // not written by this plugin; its address stays taken, since the file is there
        LOG.log(System.Logger.Level.WARNING, "{0} is not uid, interface and CIDR on three lines; skipped", file);
        return Optional.empty();
    }

    private Optional<Integer> lastReserved() {
        try {
            return Optional.of(Cidr.address(Files.readString(lastReserved, UTF_8).strip()));
        } catch (IOException | NetworkFailure e) {
            // missing or garbled: the search starts at the first address, which is still correct
            return Optional.empty();
        }
    }

    private void rememberLastReserved(String ip) {
        Path next = lastReserved.resolveSibling("." + LAST_RESERVED + "." + UUID.randomUUID());
        try {
            Files.writeString(next, ip + "\n", UTF_8);
            Files.move(next, lastReserved, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // only a hint for where to search next; the address itself is claimed
            try {
                Files.deleteIfExists(next);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}

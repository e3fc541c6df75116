package io.kubundle.controller.nodelifecycle.internal;

import java.util.BitSet;
import java.util.Optional;

/**
 * Node IPAM's range allocator: hands out the per-node blocks of an IPv4 cluster CIDR ({@code
 * 10.244.0.0/16} in /24s by default), never one that is held, and takes back released ones. Next
 * allocations go on from the last one, so a block just released is the last to be reused.
 * Thread-safe.
 */
final class CidrAllocator {
    private final long base;
    private final int clusterBits;
    private final int nodeBits;
    private final int size;
    private final BitSet used;
    private int next;

    CidrAllocator(String clusterCidr, int nodeMaskSize) {
        String[] parts = clusterCidr.strip().split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + clusterCidr);
        }
        clusterBits = Integer.parseInt(parts[1]);
        if (clusterBits < 0 || clusterBits > 32 || nodeMaskSize < clusterBits || nodeMaskSize > 32 || nodeMaskSize - clusterBits > 24) {
            throw new IllegalArgumentException("node mask /" + nodeMaskSize + " does not fit cluster CIDR " + clusterCidr);
        }
        nodeBits = nodeMaskSize;
        base = address(parts[0]) & mask(clusterBits);
        size = 1 << (nodeBits - clusterBits);
        used = new BitSet(size);
    }

    /** A free block, now held; empty when every block is held. */
    synchronized Optional<String> allocate() {
        for (int i = 0; i < size; i++) {
            int candidate = (next + i) % size;
            if (!used.get(candidate)) {
                used.set(candidate);
                next = (candidate + 1) % size;
                return Optional.of(format(base + ((long) candidate << (32 - nodeBits))) + "/" + nodeBits);
            }
        }
        return Optional.empty();
    }

    /** Marks a block held (one a node already has); false if it is not one of this allocator's blocks. */
    synchronized boolean occupy(String cidr) {
        int index = index(cidr);
        if (index < 0) {
            return false;
        }
        used.set(index);
        return true;
    }

    /** Frees a block; one that is not this allocator's is ignored. Idempotent. */
    synchronized void release(String cidr) {
        int index = index(cidr);
        if (index >= 0) {
            used.clear(index);
        }
    }

    synchronized int held() {
        return used.cardinality();
    }

    private int index(String cidr) {
        String[] parts = cidr.strip().split("/");
        if (parts.length != 2 || parts[0].contains(":") || Integer.parseInt(parts[1]) != nodeBits) {
            return -1;
        }
        long address = address(parts[0]);
        if ((address & mask(clusterBits)) != base || (address & ~mask(nodeBits) & 0xffffffffL) != 0) {
            return -1;
        }
        return (int) ((address - base) >>> (32 - nodeBits));
    }

    private static long mask(int bits) {
        return bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
    }

    private static long address(String dotted) {
        String[] octets = dotted.split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        long value = 0;
        for (String octet : octets) {
            int part = Integer.parseInt(octet);
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            value = value << 8 | part;
        }
        return value;
    }

    private static String format(long address) {
        return (address >>> 24 & 255) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "." + (address & 255);
    }
}

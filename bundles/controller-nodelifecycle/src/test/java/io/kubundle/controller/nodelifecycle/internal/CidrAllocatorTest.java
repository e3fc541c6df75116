package io.kubundle.controller.nodelifecycle.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class CidrAllocatorTest {
    @Test
    void handsOutSlash24sOfTheClusterCidrInOrder() {
        CidrAllocator allocator = new CidrAllocator("10.244.0.0/16", 24);
        assertEquals(Optional.of("10.244.0.0/24"), allocator.allocate());
        assertEquals(Optional.of("10.244.1.0/24"), allocator.allocate());
        assertEquals(2, allocator.held());
    }

    @Test
    void neverGivesOutAHeldBlock() {
        CidrAllocator allocator = new CidrAllocator("10.244.0.0/16", 24);
        assertTrue(allocator.occupy("10.244.0.0/24"));
        assertTrue(allocator.occupy("10.244.2.0/24"));
        assertEquals(Optional.of("10.244.1.0/24"), allocator.allocate());
        assertEquals(Optional.of("10.244.3.0/24"), allocator.allocate());
    }

    @Test
    void reusesReleasedBlocksLastAndRunsOut() {
        CidrAllocator allocator = new CidrAllocator("192.168.0.0/30", 31);
        assertEquals(Optional.of("192.168.0.0/31"), allocator.allocate());
        allocator.release("192.168.0.0/31");
        allocator.release("192.168.0.0/31");
        assertEquals(Optional.of("192.168.0.2/31"), allocator.allocate(), "the next one first");
        assertEquals(Optional.of("192.168.0.0/31"), allocator.allocate(), "then the released one");
        assertEquals(Optional.empty(), allocator.allocate(), "all held");
    }

    @Test
    void ignoresBlocksNotItsOwn() {
        CidrAllocator allocator = new CidrAllocator("10.244.0.0/16", 24);
        assertFalse(allocator.occupy("10.245.0.0/24"), "outside the range");
        assertFalse(allocator.occupy("10.244.0.0/25"), "another size");
        assertFalse(allocator.occupy("10.244.0.5/24"), "not aligned");
        assertFalse(allocator.occupy("fd00::/64"), "IPv6");
        allocator.release("10.245.0.0/24");
        assertEquals(0, allocator.held());
    }

    @Test
    void refusesAMaskThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new CidrAllocator("10.244.0.0/16", 8));
        assertThrows(IllegalArgumentException.class, () -> new CidrAllocator("10.244.0.0", 24));
    }
}

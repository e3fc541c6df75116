package io.kubundle.controller.service.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The allocators' stores in memory, with the semantics of the API server's: create-if-absent, uid preconditions, CAS. */
final class MemoryStores {
    private MemoryStores() {
    }

    static final class Ips implements ClusterIps.Store {
        final Map<String, ClusterIps.Entry> entries = new ConcurrentHashMap<>();
        volatile Instant now = Instant.now();

        @Override
        public Optional<ClusterIps.Entry> find(String ip) {
            return Optional.ofNullable(entries.get(ip));
        }

        @Override
        public boolean create(String ip, Owner owner) {
            return entries.putIfAbsent(ip, new ClusterIps.Entry(ip, owner, UUID.randomUUID().toString(), now)) == null;
        }

        @Override
        public void delete(ClusterIps.Entry entry) {
            entries.remove(entry.ip(), entry);
        }

        @Override
        public List<ClusterIps.Entry> list() {
            return new ArrayList<>(entries.values());
        }
    }

    static final class Ports implements NodePorts.Store {
        private Map<Integer, NodePorts.Allocation> ports = new TreeMap<>();
        private long version;
        int writes;

        @Override
        public synchronized NodePorts.Versioned read() {
            return new NodePorts.Versioned(new TreeMap<>(ports), Long.toString(version));
        }

        @Override
        public synchronized boolean write(Map<Integer, NodePorts.Allocation> next, String expected) {
            if (!expected.equals(Long.toString(version))) {
                return false;
            }
            ports = new TreeMap<>(next);
            version++;
            writes++;
            return true;
        }

        synchronized Map<Integer, NodePorts.Allocation> ports() {
            return new TreeMap<>(ports);
        }
    }
}

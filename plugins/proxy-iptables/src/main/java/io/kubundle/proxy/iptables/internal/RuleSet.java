package io.kubundle.proxy.iptables.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The chains the proxy wants in the {@code nat} and {@code filter} tables, each with its rules in
 * order (a rule is what follows {@code -A CHAIN}), and the jumps into them from the built-in
 * chains. Immutable once built; {@link #fullRestore} and {@link #partialRestore} write the
 * {@code iptables-restore --noflush} input that brings the kernel to it.
 */
final class RuleSet {
    static final List<String> TABLES = List.of("filter", "nat");

    /** A jump from a built-in chain into one of ours: {@code -I chain rule}. */
    record Jump(String table, String chain, String rule) {
    }

    private final Map<String, Map<String, List<String>>> chains;
    private final List<Jump> jumps;

    RuleSet(Map<String, Map<String, List<String>>> chains, List<Jump> jumps) {
        Map<String, Map<String, List<String>>> copy = new LinkedHashMap<>();
        for (String table : TABLES) {
            copy.put(table, new LinkedHashMap<>(chains.getOrDefault(table, Map.of())));
        }
        this.chains = copy;
        this.jumps = List.copyOf(jumps);
    }

    /** The chains of a table, name to rules. */
    Map<String, List<String>> chains(String table) {
        return chains.get(table);
    }

    List<Jump> jumps() {
        return jumps;
    }

    /** How many rules in all (for logs and benchmarks). */
    int ruleCount() {
        return chains.values().stream().flatMap(t -> t.values().stream()).mapToInt(List::size).sum();
    }

    /**
     * Everything from scratch: every chain of ours declared (so flushed) and written; every chain
     * of ours the kernel has that is not wanted flushed and deleted; the existing jumps into our
     * chains deleted and the wanted ones inserted, all in one transaction.
     *
     * @param existing what the kernel has now ({@link IptablesSave})
     */
    String fullRestore(IptablesSave existing, ChainNames names) {
        StringBuilder out = new StringBuilder(1 << 16);
        for (String table : TABLES) {
            Map<String, List<String>> wanted = chains.get(table);
            Set<String> stale = new TreeSet<>();
            for (String chain : existing.chains(table)) {
                if (names.owns(chain) && !wanted.containsKey(chain)) {
                    stale.add(chain);
                }
            }
            out.append('*').append(table).append('\n');
            for (String chain : wanted.keySet()) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            for (String chain : stale) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            for (String rule : existing.jumpsInto(table, names)) {
                out.append("-D ").append(rule).append('\n');
            }
            for (Jump jump : jumps) {
                if (jump.table().equals(table)) {
                    out.append("-I ").append(jump.chain()).append(" 1 ").append(jump.rule()).append('\n');
                }
            }
            appendRules(out, wanted, wanted.keySet());
            for (String chain : stale) {
                out.append("-X ").append(chain).append('\n');
            }
            out.append("COMMIT\n");
        }
        return out.toString();
    }

    /**
     * Only what changed since {@code applied} (which the kernel is known to have): changed or new
     * chains declared and written, chains no longer wanted flushed and deleted. Null when nothing
     * changed. The jumps from built-in chains are left as they are.
     */
    String partialRestore(RuleSet applied) {
        StringBuilder out = new StringBuilder(4096);
        boolean any = false;
        for (String table : TABLES) {
            Map<String, List<String>> wanted = chains.get(table);
            Map<String, List<String>> had = applied.chains.get(table);
            List<String> changed = new ArrayList<>();
            for (Map.Entry<String, List<String>> chain : wanted.entrySet()) {
                if (!Objects.equals(had.get(chain.getKey()), chain.getValue())) {
                    changed.add(chain.getKey());
                }
            }
            List<String> removed = new ArrayList<>();
            for (String chain : had.keySet()) {
                if (!wanted.containsKey(chain)) {
                    removed.add(chain);
                }
            }
            if (changed.isEmpty() && removed.isEmpty()) {
                continue;
            }
            any = true;
            out.append('*').append(table).append('\n');
            for (String chain : changed) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            for (String chain : removed) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            appendRules(out, wanted, changed);
            for (String chain : removed) {
                out.append("-X ").append(chain).append('\n');
            }
            out.append("COMMIT\n");
        }
        return any ? out.toString() : null;
    }

    /**
     * Removes every chain of ours and every jump into them, as found in {@code existing}: what
     * deactivation runs. Null when there is nothing of ours.
     */
    static String cleanupRestore(IptablesSave existing, ChainNames names) {
        StringBuilder out = new StringBuilder(4096);
        boolean any = false;
        for (String table : TABLES) {
            List<String> ours = existing.chains(table).stream().filter(names::owns).sorted().toList();
            List<String> jumps = existing.jumpsInto(table, names);
            if (ours.isEmpty() && jumps.isEmpty()) {
                continue;
            }
            any = true;
            out.append('*').append(table).append('\n');
            for (String chain : ours) {
                out.append(':').append(chain).append(" - [0:0]\n");
            }
            for (String rule : jumps) {
                out.append("-D ").append(rule).append('\n');
            }
            for (String chain : ours) {
                out.append("-X ").append(chain).append('\n');
            }
            out.append("COMMIT\n");
        }
        return any ? out.toString() : null;
    }

    private static void appendRules(StringBuilder out, Map<String, List<String>> chains, Iterable<String> which) {
        for (String chain : which) {
            for (String rule : chains.get(chain)) {
                out.append("-A ").append(chain).append(' ').append(rule).append('\n');
            }
        }
    }
}

package io.kubundle.proxy.nftables.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The wanted content of our table, and the {@code nft -f} input that makes it: a fixed part
 * (base chains, fixed chains, the verdict maps' and the hairpin set's declarations: depends only
 * on the settings), the chains of service ports and endpoints, the elements of each verdict map
 * and of the hairpin set, and the dynamic
 * affinity sets. {@link #full()} replaces the table in one transaction; {@link #partial} writes
 * only what differs from what was applied.
 *
 * @param table the table's name (family {@code ip})
 * @param fixed the fixed part as {@code nft} commands without the {@code add}/table words: they
 *        are applied in order after the table is made
 * @param chains the other chains' rules by chain name
 * @param maps verdict map (or set: empty values) name to its elements ({@code key : verdict})
 * @param sets dynamic sets (ClientIP affinity), by name
 */
record NftRuleset(String table, List<String> fixed, Map<String, List<String>> chains, Map<String, Map<String, String>> maps,
        Set<String> sets) {

    /** A set of addresses with per-element timeouts, added to from the packet path. */
    static final String SET_TYPE = "{ type ipv4_addr; flags dynamic,timeout; }";

    /** Rules in the chains of service ports and endpoints plus the fixed ones. */
    int ruleCount() {
        int count = 0;
        for (List<String> rules : chains.values()) {
            count += rules.size();
        }
        return count + (int) fixed.stream().filter(l -> l.startsWith("rule ")).count();
    }

    int elementCount() {
        return maps.values().stream().mapToInt(Map::size).sum();
    }

    private String prefix() {
        return " ip " + table + " ";
    }

    /**
     * The whole table, replacing whatever is there (our own earlier content, a crashed instance's,
     * a table an admin changed): {@code add} then {@code delete} the table (so the delete never
     * fails), then the table in nft's block syntax (a third smaller than commands, and parsed
     * faster). One transaction: no moment without rules.
     */
    String full() {
        StringBuilder out = new StringBuilder(64 * 1024 + chains.size() * 160);
        out.append("add table ip ").append(table).append('\n');
        out.append("delete table ip ").append(table).append('\n');
        out.append("table ip ").append(table).append(" {\n");
        out.append("  comment \"kubundle service proxy\"\n");
        Map<String, List<String>> fixedRules = new java.util.LinkedHashMap<>();
        for (String line : fixed) {
            if (line.startsWith("rule ")) {
                int space = line.indexOf(' ', 5);
                fixedRules.computeIfAbsent(line.substring(5, space), k -> new ArrayList<>()).add(line.substring(space + 1));
            }
        }
        for (String line : fixed) {
            if (line.startsWith("map ") || line.startsWith("set ")) {
                String name = line.substring(4, line.indexOf(' ', 4));
                String type = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}')).strip();
                out.append("  ").append(line, 0, 4).append(name).append(" {\n    ").append(type).append('\n');
                List<String> elements = maps.getOrDefault(name, Map.of()).entrySet().stream()
                        .map(e -> element(e.getKey(), e.getValue())).toList();
                if (!elements.isEmpty()) {
                    out.append("    elements = { ").append(String.join(",\n      ", elements)).append(" }\n");
                }
                out.append("  }\n");
            }
        }
        for (String set : sets) {
            out.append("  set ").append(set).append(' ').append(SET_TYPE).append('\n');
        }
        for (String line : fixed) {
            if (line.startsWith("chain ")) {
                int brace = line.indexOf(" {");
                String name = brace < 0 ? line.substring(6) : line.substring(6, brace);
                String hook = brace < 0 ? "" : line.substring(brace + 2, line.lastIndexOf('}')).strip();
                appendChain(out, name, hook, fixedRules.getOrDefault(name, List.of()));
            }
        }
        chains.forEach((chain, rules) -> appendChain(out, chain, "", rules));
        out.append("}\n");
        return out.toString();
    }

    /** A map element {@code key : value}, or a set element (an empty value): {@code key}. */
    private static String element(String key, String value) {
        return value.isEmpty() ? key : key + " : " + value;
    }

    private static void appendChain(StringBuilder out, String name, String hook, List<String> rules) {
        out.append("  chain ").append(name).append(" {\n");
        if (!hook.isEmpty()) {
            out.append("    ").append(hook).append('\n');
        }
        for (String rule : rules) {
            out.append("    ").append(rule).append('\n');
        }
        out.append("  }\n");
    }

    private void appendRules(StringBuilder out, String chain, List<String> rules) {
        for (String rule : rules) {
            out.append("add rule").append(prefix()).append(chain).append(' ').append(rule).append('\n');
        }
    }

    private void appendElements(StringBuilder out, String verb, String map, List<String> elements) {
        if (elements.isEmpty()) {
            return;
        }
        out.append(verb).append(" element").append(prefix()).append(map).append(" { ");
        for (int i = 0; i < elements.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(elements.get(i));
        }
        out.append(" }\n");
    }

    /** Whether {@link #partial} can go from {@code applied} to this: same table, same fixed part. */
    boolean canFollow(NftRuleset applied) {
        return applied != null && applied.table.equals(table) && applied.fixed.equals(fixed) && applied.maps.keySet().equals(maps.keySet());
    }

    /**
     * What turns {@code applied} into this, null when nothing differs: new sets and chains made,
     * changed chains flushed and written again, map elements deleted and added (a changed verdict
     * is both), then the chains no longer wanted flushed and deleted, and their sets, once nothing
     * refers to them.
     */
    String partial(NftRuleset applied) {
        if (!canFollow(applied)) {
            throw new IllegalArgumentException("a partial sync needs the same table and fixed part");
        }
        StringBuilder out = new StringBuilder(1024);
        String prefix = prefix();
        for (String set : sets) {
            if (!applied.sets.contains(set)) {
                out.append("add set").append(prefix).append(set).append(' ').append(SET_TYPE).append('\n');
            }
        }
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, List<String>> chain : chains.entrySet()) {
            List<String> before = applied.chains.get(chain.getKey());
            if (before == null) {
                out.append("add chain").append(prefix).append(chain.getKey()).append('\n');
                written.add(chain.getKey());
            } else if (before != chain.getValue() && !before.equals(chain.getValue())) {
                out.append("flush chain").append(prefix).append(chain.getKey()).append('\n');
                written.add(chain.getKey());
            }
        }
        for (String chain : written) {
            appendRules(out, chain, chains.get(chain));
        }
        for (Map.Entry<String, Map<String, String>> map : maps.entrySet()) {
            Map<String, String> before = applied.maps.get(map.getKey());
            List<String> deleted = new ArrayList<>();
            List<String> added = new ArrayList<>();
            for (Map.Entry<String, String> element : before.entrySet()) {
                String now = map.getValue().get(element.getKey());
                if (!Objects.equals(now, element.getValue())) {
                    deleted.add(element.getKey());
                }
            }
            for (Map.Entry<String, String> element : map.getValue().entrySet()) {
                if (!element.getValue().equals(before.get(element.getKey()))) {
                    added.add(element(element.getKey(), element.getValue()));
                }
            }
            appendElements(out, "delete", map.getKey(), deleted);
            appendElements(out, "add", map.getKey(), added);
        }
        Set<String> removed = new TreeSet<>(applied.chains.keySet());
        removed.removeAll(chains.keySet());
        for (String chain : removed) {
            out.append("flush chain").append(prefix).append(chain).append('\n');
        }
        for (String chain : removed) {
            out.append("delete chain").append(prefix).append(chain).append('\n');
        }
        for (String set : applied.sets) {
            if (!sets.contains(set)) {
                out.append("delete set").append(prefix).append(set).append('\n');
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    /** Deletes the table and everything in it; nothing when it is not there ({@code add} first). */
    static String cleanup(String table) {
        return "add table ip " + table + "\ndelete table ip " + table + "\n";
    }
}

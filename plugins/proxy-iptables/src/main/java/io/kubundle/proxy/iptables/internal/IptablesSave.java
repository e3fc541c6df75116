package io.kubundle.proxy.iptables.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code iptables-save} printed: the chains of each table and its rules, as lines. */
final class IptablesSave {
    private final Map<String, Set<String>> chains = new HashMap<>();
    private final Map<String, List<String>> rules = new HashMap<>();

    static IptablesSave parse(String text) {
        IptablesSave save = new IptablesSave();
        String table = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
            } else if (table != null && line.startsWith(":")) {
                int space = line.indexOf(' ');
                save.chains.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(line.substring(1, space < 0 ? line.length() : space));
            } else if (table != null && line.startsWith("-A ")) {
                save.rules.computeIfAbsent(table, t -> new ArrayList<>()).add(line.substring(3));
            }
        }
        return save;
    }

    /** The chains a table has, built-in ones included. */
    Set<String> chains(String table) {
        return chains.getOrDefault(table, Set.of());
    }

    /** Rules ({@code CHAIN args}) of a table. */
    List<String> rules(String table) {
        return rules.getOrDefault(table, List.of());
    }

    /** The rules in chains not ours that jump to one of ours, as {@code CHAIN args} for {@code -D}. */
    List<String> jumpsInto(String table, ChainNames names) {
        List<String> jumps = new ArrayList<>();
        for (String rule : rules(table)) {
            String chain = rule.substring(0, rule.indexOf(' ') < 0 ? rule.length() : rule.indexOf(' '));
            if (names.owns(chain)) {
                continue;
            }
            int jump = rule.lastIndexOf(" -j ");
            if (jump >= 0 && names.owns(rule.substring(jump + 4).split(" ")[0])) {
                jumps.add(rule);
            }
        }
        return jumps;
    }
}

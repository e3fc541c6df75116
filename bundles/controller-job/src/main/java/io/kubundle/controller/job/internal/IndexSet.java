package io.kubundle.controller.job.internal;

import java.util.BitSet;

/**
 * Completion indexes as a Job's {@code status.completedIndexes} writes them: ascending,
 * consecutive runs as ranges ({@code "0-2,4,6-7"}).
 */
final class IndexSet {
    private IndexSet() {
    }

    /** The indexes in the text, those at or over {@code limit} left out; malformed parts are skipped. */
    static BitSet parse(String text, int limit) {
        BitSet indexes = new BitSet();
        if (text == null || text.isBlank()) {
            return indexes;
        }
        for (String part : text.split(",")) {
            try {
                int dash = part.indexOf('-');
                int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
                if (from >= 0 && from <= to) {
                    indexes.set(from, Math.min(to, limit - 1) + 1);
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // a part we cannot read is not an index
            }
        }
        return indexes;
    }

    static String format(BitSet indexes) {
        StringBuilder text = new StringBuilder();
        int from = indexes.nextSetBit(0);
        while (from >= 0) {
            int to = indexes.nextClearBit(from) - 1;
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(from);
            if (to > from) {
                text.append('-').append(to);
            }
            from = indexes.nextSetBit(to + 1);
        }
        return text.toString();
    }
}

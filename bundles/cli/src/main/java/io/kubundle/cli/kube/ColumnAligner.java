package io.kubundle.cli.kube;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns cells as kubectl's tab writer does: each column but the last is as wide as its widest
 * cell plus 3 spaces, and at least 6; widths only grow, so rows printed later (a watch) line up
 * with the ones before.
 */
public final class ColumnAligner {
    private static final int PADDING = 3;
    private static final int MIN_WIDTH = 6;

    private final List<Integer> widths = new ArrayList<>();

    /** The rows as lines, after widening the columns to fit them. */
    public List<String> align(List<List<String>> rows) {
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() - 1; i++) {
                int width = Math.max(MIN_WIDTH, row.get(i).codePointCount(0, row.get(i).length()) + PADDING);
                if (i == widths.size()) {
                    widths.add(width);
                } else if (widths.get(i) < width) {
                    widths.set(i, width);
                }
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths.get(i) - cell.codePointCount(0, cell.length())));
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** Forgets the widths: the next rows start a new table. */
    public void reset() {
        widths.clear();
    }
}

package io.kubundle.cli.commands;

import java.io.PrintWriter;
import java.util.List;

/** A plain-text table as kubectl and crictl print them: columns three spaces apart, no trailing blanks. */
final class Table {
    private Table() {
    }

    /** Prints {@code rows}, the first being the headings; every row has as many cells. */
    static void print(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length - 1; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 3));
            }
            out.println(line.append(row[row.length - 1]).toString().stripTrailing());
        }
    }
}

package io.kubundle.cli.kube;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's text/tabwriter as kubectl describe configures it (padding 2, no minimum width): cells end
 * with a tab, and a column is aligned over each run of consecutive lines that have a cell in it,
 * so a line without tabs starts a new alignment.
 */
public final class TabWriter {
    private static final int PADDING = 2;

    private TabWriter() {
    }

    /** The text with its tab-separated cells aligned. */
    public static String align(String text) {
        List<String[]> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines.add(line.split("\t", -1));
        }
        boolean endsWithNewline = text.endsWith("\n");
        if (endsWithNewline) {
            lines.remove(lines.size() - 1);
        }
        StringBuilder out = new StringBuilder();
        format(lines, 0, lines.size(), new ArrayList<>(), out);
        if (!endsWithNewline && out.length() > 0) {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    private static void format(List<String[]> lines, int line0, int line1, List<Integer> widths, StringBuilder out) {
        int column = widths.size();
        int start = line0;
        for (int current = line0; current < line1; current++) {
            if (column >= lines.get(current).length - 1) {
                continue;
            }
            write(lines, start, current, widths, out);
            start = current;
            int width = 0;
            for (; current < line1 && column < lines.get(current).length - 1; current++) {
                width = Math.max(width, width(lines.get(current)[column]) + PADDING);
            }
            widths.add(width);
            format(lines, start, current, widths, out);
            widths.remove(widths.size() - 1);
            start = current;
            current--;
        }
        write(lines, start, line1, widths, out);
    }

    private static void write(List<String[]> lines, int from, int to, List<Integer> widths, StringBuilder out) {
        for (int i = from; i < to; i++) {
            String[] cells = lines.get(i);
            for (int j = 0; j < cells.length; j++) {
                out.append(cells[j]);
                if (j < widths.size() && j < cells.length - 1) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - width(cells[j]))));
                }
            }
            out.append('\n');
        }
    }

    private static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}

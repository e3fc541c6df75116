package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cells kubectl prints from a server-side {@code Table}: the columns of priority 0 (all of
 * them with {@code -o wide}), upper-case headers, a NAMESPACE column first for
 * {@code --all-namespaces}, and {@code kind.group/} before each name when several types are
 * printed. The first table fixes the columns; later ones (watch events) may come without
 * definitions.
 */
public final class TableRows {
    private final boolean wide;
    private final boolean namespaceColumn;
    private final String namePrefix;
    private final List<Integer> columns = new ArrayList<>();
    private final List<String> headers = new ArrayList<>();
    private int nameColumn = -1;

    /**
     * @param namePrefix {@code deployment.apps/} before each name, or empty
     */
    public TableRows(boolean wide, boolean namespaceColumn, String namePrefix) {
        this.wide = wide;
        this.namespaceColumn = namespaceColumn;
        this.namePrefix = namePrefix;
    }

    /** The header row: taken from the first table that has column definitions. */
    public List<String> header(JsonNode table) {
        if (headers.isEmpty()) {
            readColumns(table.path("columnDefinitions"));
        }
        List<String> row = new ArrayList<>();
        if (namespaceColumn) {
            row.add("NAMESPACE");
        }
        row.addAll(headers);
        return row;
    }

    private void readColumns(JsonNode definitions) {
        for (int i = 0; i < definitions.size(); i++) {
            JsonNode definition = definitions.get(i);
            if (wide || definition.path("priority").asInt(0) == 0) {
                if (nameColumn < 0 && "name".equals(definition.path("format").asText())) {
                    nameColumn = i;
                }
                columns.add(i);
                headers.add(definition.path("name").asText().toUpperCase(Locale.ROOT));
            }
        }
        if (nameColumn < 0 && !columns.isEmpty()) {
            nameColumn = columns.get(0);
        }
    }

    /** One row of cells per row of the table. */
    public List<List<String>> rows(JsonNode table) {
        if (headers.isEmpty()) {
            readColumns(table.path("columnDefinitions"));
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : table.path("rows")) {
            List<String> cells = new ArrayList<>();
            if (namespaceColumn) {
                cells.add(row.path("object").path("metadata").path("namespace").asText(""));
            }
            for (int column : columns) {
                String cell = text(row.path("cells").get(column));
                cells.add(column == nameColumn ? namePrefix + cell : cell);
            }
            rows.add(cells);
        }
        return rows;
    }

    private static String text(JsonNode cell) {
        if (cell == null || cell.isNull() || cell.isMissingNode()) {
            return "<none>";
        }
        return cell.isValueNode() ? cell.asText() : cell.toString();
    }
}

package io.kubundle.api.store;

import java.util.List;

/**
 * A page of a list.
 *
 * @param items the entries, in key order
 * @param revision the revision the list was read at; read the next page at the same revision
 * @param more whether more entries follow the last one
 */
public record ListResult(List<KeyValue> items, long revision, boolean more) {
    public ListResult {
        items = List.copyOf(items);
    }
}

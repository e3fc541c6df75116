package io.kubundle.client.kube;

import java.util.List;

/**
 * One page of a list.
 *
 * @param items the objects
 * @param resourceVersion the revision the list was read at: where a watch continues from
 * @param continueToken the token of the next page, or null on the last one
 */
public record ObjectList<T>(List<T> items, String resourceVersion, String continueToken) {
    public ObjectList {
        items = List.copyOf(items);
    }

    /** The same page with each item changed by {@code function}. */
    public <U> ObjectList<U> map(java.util.function.Function<T, U> function) {
        return new ObjectList<>(items.stream().map(function).toList(), resourceVersion, continueToken);
    }
}

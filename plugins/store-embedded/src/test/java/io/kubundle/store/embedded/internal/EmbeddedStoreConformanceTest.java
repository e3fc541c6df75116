package io.kubundle.store.embedded.internal;

import io.kubundle.itests.store.StoreConformanceTest;
import io.kubundle.itests.store.StoreFactory;

final class EmbeddedStoreConformanceTest extends StoreConformanceTest {
    @Override
    protected StoreFactory factory() {
        return new EmbeddedStoreFactory();
    }
}

package io.kubundle.controller.support;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;

/** What controllers do with their informers: index by controller, queue keys, start and wait for the first lists. */
public final class Informers {
    /** The index {@link #controllerUid} feeds. */
    public static final String BY_CONTROLLER = "controller-uid";

    private Informers() {
    }

    /** Index function: the uid of the object's controller, if any. */
    public static Collection<String> controllerUid(HasMetadata object) {
        return Owners.controllerOf(object).map(ref -> List.of(ref.getUid())).orElse(List.of());
    }

    /** A handler that queues the object's own key ({@code namespace/name}) on every change. */
    public static <T extends HasMetadata> ResourceHandler<T> queueKey(WorkQueue<String> queue) {
        return new ResourceHandler<>() {
            @Override
            public void onAdd(T object) {
                queue.add(key(object));
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                queue.add(key(newObject));
            }

            @Override
            public void onDelete(T lastKnown) {
                queue.add(key(lastKnown));
            }
        };
    }

    /** A handler that queues the key of the object's controller when it is of {@code kind}. */
    public static <T extends HasMetadata> ResourceHandler<T> queueController(WorkQueue<String> queue, String kind) {
        return new ResourceHandler<>() {
            @Override
            public void onAdd(T object) {
                queueOwner(object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                queueOwner(newObject);
            }

            @Override
            public void onDelete(T lastKnown) {
                queueOwner(lastKnown);
            }

            private void queueOwner(T object) {
                Owners.controllerOf(object).filter(ref -> kind.equals(ref.getKind()))
                        .ifPresent(ref -> queue.add(ObjectKey.of(object.getMetadata().getNamespace(), ref.getName())));
            }
        };
    }

    public static String key(HasMetadata object) {
        return ObjectKey.of(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** Starts the informers and waits for each one's first list; throws if one does not list in time. */
    public static void startAndSync(String controller, Duration timeout, Informer<?>... informers) throws InterruptedException {
        for (Informer<?> informer : informers) {
            informer.start();
        }
        for (Informer<?> informer : informers) {
            if (!informer.awaitSynced(timeout)) {
                throw new IllegalStateException(controller + ": informers did not sync in " + timeout);
            }
        }
    }
}

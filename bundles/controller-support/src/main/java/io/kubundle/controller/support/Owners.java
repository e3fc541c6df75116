package io.kubundle.controller.support;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Owner references as controllers use them: one controller per object. */
public final class Owners {
    private Owners() {
    }

    /** The reference to the object's controller, if it has one. */
    public static Optional<OwnerReference> controllerOf(HasMetadata object) {
        if (object.getMetadata().getOwnerReferences() == null) {
            return Optional.empty();
        }
        return object.getMetadata().getOwnerReferences().stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
    }

    /** Whether the object's controller is the owner with this uid. */
    public static boolean isControlledBy(HasMetadata object, String ownerUid) {
        return controllerOf(object).map(ref -> ownerUid.equals(ref.getUid())).orElse(false);
    }

    /** The reference a controller puts on what it creates: controller and blocking the owner's foreground deletion. */
    public static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build();
    }
}

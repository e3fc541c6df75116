package io.kubundle.controller.support;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceClient;

/**
 * Writes core/v1 Events about objects, as controllers' event recorders do: {@code kubectl describe}
 * shows them. An event that cannot be written is logged, never thrown: events are best effort.
 */
public final class EventRecorder {
    private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());

    private final ResourceClient<Event> events;
    private final String component;

    public EventRecorder(KubeClient client, String component) {
        this.events = client.resources(Kinds.EVENTS);
        this.component = component;
    }

    public void normal(HasMetadata object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    public void warning(HasMetadata object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    private void record(HasMetadata object, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        Event event = new EventBuilder().withNewMetadata()
                .withName(object.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()) + Names.randomSuffix())
                .withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                        .withNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                        .withUid(object.getMetadata().getUid()).withResourceVersion(object.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason).withMessage(message).withNewSource().withComponent(component).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).withReportingComponent(component).build();
        try {
            events.create(event);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "event {0} for {1} not written: {2}", reason, object.getMetadata().getName(), e.toString());
        }
    }
}

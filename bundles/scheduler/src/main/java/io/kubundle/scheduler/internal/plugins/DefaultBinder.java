package io.kubundle.scheduler.internal.plugins;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.kubundle.api.scheduler.Bind;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.scheduler.internal.ApiWrites;

/** Binds the pod by creating its {@code binding} subresource (POST pods/NAME/binding), as kube-scheduler's DefaultBinder. */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + DefaultBinder.NAME)
public final class DefaultBinder implements Bind {
    public static final String NAME = "DefaultBinder";

    /** Where bindings go (tests replace it). */
    public interface Binder {
        void bind(PodInfo pod, String node) throws Exception;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private Binder binder;

    public DefaultBinder() {
    }

    public DefaultBinder(Binder binder) {
        this.binder = binder;
    }

    @Activate
    void activate() {
        ApiWrites api = new ApiWrites(transport);
        binder = api::bind;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, PodInfo pod, String nodeName) {
        try {
            binder.bind(pod, nodeName);
            return Status.success();
        } catch (ApiWrites.ApiFailure e) {
            // gone, or bound by someone else: nothing to retry
            return e.code() == 404 || e.code() == 409 ? Status.unresolvable(e.getMessage()) : Status.error(e.getMessage());
        } catch (IOException e) {
            return Status.error("binding " + pod + " to " + nodeName + ": " + e.getMessage());
        } catch (Exception e) {
            return Status.error(e.toString());
        }
    }
}

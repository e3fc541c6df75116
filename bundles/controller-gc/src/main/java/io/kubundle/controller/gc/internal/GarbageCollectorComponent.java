package io.kubundle.controller.gc.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.KubeClient;

/**
 * Runs the garbage collector while the bundle is active. It starts in the background (discovery
 * and the first lists need the API server, which may still be starting) and retries until the
 * server answers; a new instance (after a swap) rebuilds the owner graph from fresh lists, so
 * nothing is missed while none ran.
 */
@Component(configurationPid = "io.kubundle.controller.gc", immediate = true, service = {})
@Designate(ocd = GarbageCollectorComponent.Config.class)
public final class GarbageCollectorComponent {
    private static final System.Logger LOG = System.getLogger(GarbageCollectorComponent.class.getName());

    @ObjectClassDefinition(name = "Kubundle garbage collector")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads deleting and updating objects")
        int workers() default 2;
    }

    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "garbage-collector-start");
        thread.setDaemon(true);
        return thread;
    });
    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private volatile GarbageCollector collector;
    private volatile boolean stopped;

    @Activate
    void activate(Config config) {
        starter.execute(() -> {
            long backoff = 100;
            while (!stopped) {
                GarbageCollector next = new GarbageCollector(new KubeClient(transport));
                try {
                    next.start(Duration.ofSeconds(60), config.workers());
                    collector = next;
                    if (stopped) {
                        next.close();
                    }
                    return;
                } catch (Exception e) {
                    next.close();
                    LOG.log(System.Logger.Level.DEBUG, "garbage collector: cannot start yet: {0}", e.toString());
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        });
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        starter.shutdownNow();
        GarbageCollector running = collector;
        if (running != null) {
            running.close();
        }
    }
}

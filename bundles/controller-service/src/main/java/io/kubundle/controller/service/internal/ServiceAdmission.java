package io.kubundle.controller.service.internal;

import java.security.SecureRandom;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionDeniedException;
import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.KubeClient;

/**
 * The Service allocation hook: on every create and update of a v1 Service, the defaults, the
 * ClusterIP and the node ports ({@link ServiceAllocator}), as kube-apiserver's Service storage
 * gives them. It runs on the API server's request thread and writes the allocations (IPAddress
 * objects, the node port map) through the in-process API before the Service is stored; the
 * controller's repair loop frees what a failed write left allocated.
 */
@Component(service = MutatingAdmission.class, configurationPid = ServiceConfig.PID,
        property = MutatingAdmission.NAME_PROPERTY + "=ServiceAllocation")
public final class ServiceAdmission implements MutatingAdmission {
    private static final System.Logger LOG = System.getLogger(ServiceAdmission.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ServiceAllocator allocator;
    private ObjectMapper json;

    @Activate
    void activate(ServiceConfig config) {
        KubeClient client = new KubeClient(transport);
        json = client.json();
        SecureRandom random = new SecureRandom();
        allocator = new ServiceAllocator(new ClusterIps(Cidr.parse(config.serviceClusterIpRange()), ApiStores.ipStore(client), random),
                new NodePorts(PortRange.parse(config.serviceNodePortRange()), ApiStores.nodePortStore(client), random));
    }

    @Override
    public void admit(AdmissionRequest request) throws AdmissionDeniedException {
        if (!request.kind().equals("Service") || !request.apiVersion().equals("v1")
                || request.operation() == AdmissionRequest.Operation.DELETE) {
            return;
        }
        ObjectNode service = json.valueToTree(request.object());
        if (request.namespace() != null) {
            service.with("metadata").put("namespace", request.namespace());
        }
        try {
            allocator.admit(service, request.oldObject() == null ? null : json.valueToTree(request.oldObject()));
        } catch (AdmissionDeniedException e) {
            throw e;
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "allocating for Service " + request.namespace() + "/" + request.name() + " failed", e);
            throw new AdmissionDeniedException("allocating the Service's address or ports failed: " + e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = json.convertValue(service.path("spec"), Map.class);
        request.object().put("spec", spec);
    }
}

package io.kubundle.admission.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;

import io.kubundle.api.admission.AdmissionDeniedException;
import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;

class DefaultAdmissionChainTest {
    private final DefaultAdmissionChain chain = new DefaultAdmissionChain();

    /** A service reference ordered as the framework orders them: ranking, then lower id first. */
    @SuppressWarnings("unchecked")
    private static <H> ServiceReference<H> reference(String name, int ranking, long id) {
        Map<String, Object> properties = Map.of("name", name, "service.ranking", ranking, "service.id", id);
        return (ServiceReference<H>) Proxy.newProxyInstance(
                DefaultAdmissionChainTest.class.getClassLoader(), new Class<?>[] {ServiceReference.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> properties.get(args[0]);
                    case "compareTo" -> {
                        ServiceReference<?> other = (ServiceReference<?>) args[0];
                        int byRank = Integer.compare(ranking, (Integer) other.getProperty("service.ranking"));
                        yield byRank != 0 ? byRank : Long.compare((Long) other.getProperty("service.id"), id);
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static AdmissionRequest request(Map<String, Object> object) {
        return new AdmissionRequest(AdmissionRequest.Operation.CREATE, "v1", "Pod", "default", "p", object, null, "u");
    }

    private static MutatingAdmission appending(String mark) {
        return request -> request.object().merge("trail", mark, (a, b) -> a + "," + b);
    }

    @Test
    void runsHooksByRankingThenServiceId() throws Exception {
        chain.addHook(reference("low", 0, 5), appending("low"));
        chain.addHook(reference("high", 10, 7), appending("high"));
        chain.addHook(reference("older", 0, 3), appending("older"));
        Map<String, Object> object = new LinkedHashMap<>();
        chain.admit(request(object));
        assertEquals("high,older,low", object.get("trail"));
        assertEquals(List.of("high", "older", "low"), chain.hookNames());
    }

    @Test
    void aRemovedHookNoLongerRuns() throws Exception {
        ServiceReference<MutatingAdmission> gone = reference("gone", 0, 1);
        chain.addHook(gone, appending("gone"));
        chain.addHook(reference("stays", 0, 2), appending("stays"));
        chain.removeHook(gone);
        Map<String, Object> object = new LinkedHashMap<>();
        chain.admit(request(object));
        assertEquals("stays", object.get("trail"));
    }

    @Test
    void aDenialNamesTheHookAndStopsTheChain() {
        chain.addHook(reference("strict", 5, 1), r -> {
            throw new AdmissionDeniedException("no pods on Fridays");
        });
        chain.addHook(reference("after", 0, 2), appending("after"));
        Map<String, Object> object = new LinkedHashMap<>();
        AdmissionDeniedException denied = assertThrows(AdmissionDeniedException.class, () -> chain.admit(request(object)));
        assertEquals("admission hook strict denied the request: no pods on Fridays", denied.getMessage());
        assertTrue(object.isEmpty());
    }

    @Test
    void aBrokenHookFailsClosed() {
        chain.addHook(reference("broken", 0, 1), r -> {
            throw new IllegalStateException("boom");
        });
        AdmissionDeniedException denied = assertThrows(AdmissionDeniedException.class,
                () -> chain.admit(request(new LinkedHashMap<>())));
        assertTrue(denied.getMessage().startsWith("admission hook broken failed:"), denied.getMessage());
    }

    @Test
    void validatorsRunAfterwardsAndAnyOfThemRefuses() throws Exception {
        chain.addHook(reference("labeller", 0, 1), appending("mutated"));
        List<String> seen = new java.util.ArrayList<>();
        chain.addValidator(reference("watcher", 0, 2), request -> seen.add("watcher saw " + request.object().get("trail")));
        chain.addValidator(reference("strict", 5, 3), request -> {
            if (!"yes".equals(request.object().get("allowed"))) {
                throw new AdmissionDeniedException("not allowed");
            }
        });
        Map<String, Object> object = new LinkedHashMap<>();
        chain.admit(request(object));
        AdmissionDeniedException denied = assertThrows(AdmissionDeniedException.class, () -> chain.validate(request(object)));
        assertEquals("admission hook strict denied the request: not allowed", denied.getMessage());
        assertTrue(seen.isEmpty(), "the higher-ranked validator refused first");

        object.put("allowed", "yes");
        chain.validate(request(object));
        assertEquals(List.of("watcher saw mutated"), seen);
        assertEquals(List.of("labeller", "strict", "watcher"), chain.hookNames());
        chain.removeValidator(reference("strict", 5, 3));
    }
}

package io.kubundle.admin.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;

import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The state of every DS component configuration of a bundle, with the reason when it is a problem. */
final class ComponentStates {
    static final String DISABLED = "DISABLED";

    private ComponentStates() {
    }

    /** One component configuration; {@code problem} is null unless the state keeps it from working. */
    record Entry(String name, String state, String problem) {
        boolean ready() {
            return problem == null;
        }
    }

    /** Sorted by component name; a component with several configurations appears once per configuration. */
    static List<Entry> of(ServiceComponentRuntime scr, Bundle bundle) {
        List<ComponentDescriptionDTO> descriptions = new ArrayList<>(scr.getComponentDescriptionDTOs(bundle));
        descriptions.sort(Comparator.comparing(description -> description.name));
        List<Entry> entries = new ArrayList<>();
        for (ComponentDescriptionDTO description : descriptions) {
            if (!scr.isComponentEnabled(description)) {
                entries.add(new Entry(description.name, DISABLED, null));
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                // what SCR shows for configuration-policy REQUIRE while no configuration exists
                entries.add(new Entry(description.name, "UNSATISFIED_CONFIGURATION", waitingFor(description)));
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                entries.add(entryOf(description, configuration));
            }
        }
        return entries;
    }

    private static Entry entryOf(ComponentDescriptionDTO description, ComponentConfigurationDTO configuration) {
        String name = description.name;
        switch (configuration.state) {
            case ComponentConfigurationDTO.ACTIVE:
                return new Entry(name, "ACTIVE", null);
            case ComponentConfigurationDTO.SATISFIED:
                return new Entry(name, "SATISFIED", null);
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return new Entry(name, "UNSATISFIED_CONFIGURATION", waitingFor(description));
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                return new Entry(name, "UNSATISFIED_REFERENCE", unsatisfied(description, configuration));
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return new Entry(name, "FAILED_ACTIVATION", configuration.failure == null
                        ? "activation failed" : AdminException.firstLine(configuration.failure));
            default:
                return new Entry(name, "UNKNOWN(" + configuration.state + ")", "unknown component state "
                        + configuration.state);
        }
    }

    private static String waitingFor(ComponentDescriptionDTO description) {
        String[] pids = description.configurationPid;
        String pid = pids == null || pids.length == 0 ? description.name : String.join(", ", pids);
        return "waiting for configuration " + pid;
    }

    private static String unsatisfied(ComponentDescriptionDTO description, ComponentConfigurationDTO configuration) {
        StringJoiner reasons = new StringJoiner("; ");
        UnsatisfiedReferenceDTO[] references = configuration.unsatisfiedReferences;
        for (UnsatisfiedReferenceDTO reference : references == null ? new UnsatisfiedReferenceDTO[0] : references) {
            StringBuilder reason = new StringBuilder("unsatisfied reference ").append(reference.name)
                    .append(" (").append(interfaceOf(description, reference.name));
            if (reference.target != null) {
                reason.append(", target ").append(reference.target);
            }
            reasons.add(reason.append(')'));
        }
        return reasons.length() == 0 ? "unsatisfied reference" : reasons.toString();
    }

    private static String interfaceOf(ComponentDescriptionDTO description, String referenceName) {
        for (ReferenceDTO reference : description.references) {
            if (reference.name.equals(referenceName)) {
                return reference.interfaceName;
            }
        }
        return "unknown interface";
    }
}

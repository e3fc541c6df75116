package io.kubundle.api.scheduler;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * An amount of compute resources: CPU in millicores, memory and ephemeral storage in bytes,
 * anything else (extended resources such as {@code nvidia.com/gpu}, hugepages) in
 * {@code scalars} by name, in units (milli-units for none of them: Kubernetes' extended
 * resources are whole numbers). Immutable.
 */
public record Resources(long milliCpu, long memory, long ephemeralStorage, Map<String, Long> scalars) {
    private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern
            .compile("([+-]?[0-9]*\\.?[0-9]+|[+-]?[0-9]+\\.)([eE][+-]?[0-9]+)?([a-zA-Z]*)");
    public static final Resources ZERO = new Resources(0, 0, 0, Map.of());

    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    public Resources {
        scalars = scalars == null || scalars.isEmpty() ? Map.of() : Map.copyOf(scalars);
    }

    /**
     * Resources from a Kubernetes resource list ({@code {"cpu": "500m", "memory": "1Gi"}}); the
     * {@code pods} entry is not a resource here and is left out.
     *
     * @throws IllegalArgumentException for a quantity that does not parse
     */
    public static Resources of(Map<String, String> list) {
        if (list == null || list.isEmpty()) {
            return ZERO;
        }
        long cpu = 0;
        long memory = 0;
        long storage = 0;
        Map<String, Long> scalars = new HashMap<>();
        for (Map.Entry<String, String> entry : list.entrySet()) {
            switch (entry.getKey()) {
                case CPU -> cpu = milliValue(entry.getValue());
                case MEMORY -> memory = value(entry.getValue());
                case EPHEMERAL_STORAGE -> storage = value(entry.getValue());
                case PODS -> {
                    // a node's capacity in pods is counted separately
                }
                default -> scalars.put(entry.getKey(), value(entry.getValue()));
            }
        }
        return new Resources(cpu, memory, storage, scalars);
    }

    /** The amount of one resource by its Kubernetes name (CPU in millicores). */
    public long get(String name) {
        return switch (name) {
            case CPU -> milliCpu;
            case MEMORY -> memory;
            case EPHEMERAL_STORAGE -> ephemeralStorage;
            default -> scalars.getOrDefault(name, 0L);
        };
    }

    public Resources plus(Resources other) {
        if (other == ZERO) {
            return this;
        }
        return new Resources(milliCpu + other.milliCpu, memory + other.memory, ephemeralStorage + other.ephemeralStorage,
                merge(scalars, other.scalars, 1));
    }

    public Resources minus(Resources other) {
        if (other == ZERO) {
            return this;
        }
        return new Resources(milliCpu - other.milliCpu, memory - other.memory, ephemeralStorage - other.ephemeralStorage,
                merge(scalars, other.scalars, -1));
    }

    /** The larger of each resource. */
    public Resources max(Resources other) {
        Map<String, Long> scalarMax = new HashMap<>(scalars);
        other.scalars.forEach((name, value) -> scalarMax.merge(name, value, Math::max));
        return new Resources(Math.max(milliCpu, other.milliCpu), Math.max(memory, other.memory),
                Math.max(ephemeralStorage, other.ephemeralStorage), scalarMax);
    }

    public boolean isZero() {
        return milliCpu == 0 && memory == 0 && ephemeralStorage == 0 && scalars.values().stream().allMatch(v -> v == 0);
    }

    private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b, int sign) {
        if (b.isEmpty()) {
            return a;
        }
        Map<String, Long> sum = new HashMap<>(a);
        b.forEach((name, value) -> sum.merge(name, sign * value, Long::sum));
        return sum;
    }

    /** A quantity ({@code 500m}, {@code 1.5}, {@code 2Gi}, {@code 1e3}, {@code 1k}) as an exact number. */
    public static BigDecimal quantity(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty quantity");
        }
        java.util.regex.Matcher parts = QUANTITY.matcher(text.trim());
        if (!parts.matches()) {
            throw new IllegalArgumentException("quantity " + text + " is not a number");
        }
        String number = parts.group(1) + (parts.group(2) == null ? "" : parts.group(2));
        String suffix = parts.group(3);
        BigDecimal multiplier = switch (suffix) {
            case "" -> BigDecimal.ONE;
            case "n" -> new BigDecimal("1e-9");
            case "u" -> new BigDecimal("1e-6");
            case "m" -> new BigDecimal("1e-3");
            case "k" -> new BigDecimal("1e3");
            case "M" -> new BigDecimal("1e6");
            case "G" -> new BigDecimal("1e9");
            case "T" -> new BigDecimal("1e12");
            case "P" -> new BigDecimal("1e15");
            case "E" -> new BigDecimal("1e18");
            case "Ki" -> BigDecimal.valueOf(1L << 10);
            case "Mi" -> BigDecimal.valueOf(1L << 20);
            case "Gi" -> BigDecimal.valueOf(1L << 30);
            case "Ti" -> BigDecimal.valueOf(1L << 40);
            case "Pi" -> BigDecimal.valueOf(1L << 50);
            case "Ei" -> BigDecimal.valueOf(1L << 60);
            default -> throw new IllegalArgumentException("quantity " + text + ": unknown suffix " + suffix);
        };
        try {
            return new BigDecimal(number).multiply(multiplier);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("quantity " + text + " is not a number", e);
        }
    }

    /** The quantity in thousandths, rounded up (CPU in millicores). */
    public static long milliValue(String text) {
        return quantity(text).movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** The quantity in units, rounded up (bytes for memory). */
    public static long value(String text) {
        return quantity(text).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}

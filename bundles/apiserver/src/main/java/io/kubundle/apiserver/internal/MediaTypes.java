package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Content negotiation as the Kubernetes API server does it: the client's {@code Accept} ranges
 * in its order of preference ({@code q} first, then as written), each matched against what the
 * server can produce for this response, in the server's order; the first match wins. A range
 * that names a conversion ({@code as=Table;g=meta.k8s.io;v=v1}) matches only an offer of that
 * conversion, and a range without {@code as} only a plain offer. Other parameters (charset,
 * pretty, stream) do not take part.
 */
final class MediaTypes {
    static final String JSON = "application/json";
    static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    static final String TABLE_JSON = JSON + ";as=Table;v=v1;g=meta.k8s.io";
    /** The watch stream of protobuf events: length-prefixed frames. */
    static final String PROTOBUF_WATCH = PROTOBUF + ";stream=watch";

    private static final List<String> CONVERSION = List.of("as", "g", "v");

    /** One media range or offer: type/subtype and the conversion parameters. */
    record MediaType(String type, Map<String, String> parameters, double quality) {
        boolean matches(MediaType offer) {
            if (!type.equals("*/*") && !type.equals(offer.type)
                    && !(type.endsWith("/*") && offer.type.startsWith(type.substring(0, type.length() - 1)))) {
                return false;
            }
            for (String name : CONVERSION) {
                if (!java.util.Objects.equals(parameters.get(name), offer.parameters.get(name))) {
                    return false;
                }
            }
            return true;
        }
    }

    private MediaTypes() {
    }

    /** The ranges of an Accept header, most preferred first; empty when there is no header. */
    static List<MediaType> parse(String accept) {
        List<MediaType> ranges = new ArrayList<>();
        if (accept == null) {
            return ranges;
        }
        for (String clause : accept.split(",")) {
            MediaType range = parseOne(clause);
            if (range != null && range.quality > 0) {
                ranges.add(range);
            }
        }
        // a stable sort: equal qualities keep the client's order
        ranges.sort(Comparator.comparingDouble(MediaType::quality).reversed());
        return ranges;
    }

    private static MediaType parseOne(String clause) {
        String[] parts = clause.split(";");
        String type = parts[0].strip().toLowerCase(Locale.ROOT);
        if (type.isEmpty() || !type.contains("/")) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        double quality = 1;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = parts[i].substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = parts[i].substring(eq + 1).strip();
            if (name.equals("q")) {
                try {
                    quality = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    quality = 0;
                }
            } else {
                parameters.put(name, value);
            }
        }
        return new MediaType(type, parameters, quality);
    }

    /**
     * The offer to answer with: the first of {@code offers} (media types such as
     * {@link #TABLE_JSON}, in the server's order of preference) that the client's most preferred
     * matching range accepts; null when none is acceptable. No Accept header accepts anything:
     * the first offer.
     */
    static String choose(String accept, List<String> offers) {
        List<MediaType> ranges = parse(accept);
        if (ranges.isEmpty()) {
            return offers.get(0);
        }
        List<MediaType> parsedOffers = offers.stream().map(MediaTypes::parseOne).toList();
        for (MediaType range : ranges) {
            for (int i = 0; i < offers.size(); i++) {
                if (range.matches(parsedOffers.get(i))) {
                    return offers.get(i);
                }
            }
        }
        return null;
    }

    /** Whether the client accepts a plain {@code application/json} answer (or sent no Accept header). */
    static boolean acceptsJson(String accept) {
        return choose(accept, List.of(JSON)) != null;
    }
}

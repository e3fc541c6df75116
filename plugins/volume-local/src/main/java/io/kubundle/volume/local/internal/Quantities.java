package io.kubundle.volume.local.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kubundle.api.volume.VolumeFailure;

/** Kubernetes' resource quantities ({@code 1Mi}, {@code 1G}, {@code 1e6}) in bytes, as its {@code sizeLimit} is written. */
final class Quantities {
    private static final Pattern QUANTITY = Pattern.compile(
            "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE]?)");

    private Quantities() {
    }

    /** The whole bytes of a quantity (fractions dropped, as the kubelet does). */
    static BigInteger bytes(String quantity) throws VolumeFailure {
        Matcher matcher = QUANTITY.matcher(quantity.strip());
        if (!matcher.matches()) {
            throw new VolumeFailure("quantity " + quantity + " is not valid");
        }
        String suffix = matcher.group(2);
        BigDecimal factor;
        if (suffix.endsWith("i")) {
            factor = new BigDecimal(BigInteger.ONE.shiftLeft(10 * ("KMGTPE".indexOf(suffix.charAt(0)) + 1)));
        } else if (suffix.startsWith("e") || suffix.startsWith("E")) {
            factor = BigDecimal.ONE.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        } else {
            factor = BigDecimal.ONE.scaleByPowerOfTen(switch (suffix) {
                case "n" -> -9;
                case "u" -> -6;
                case "m" -> -3;
                case "" -> 0;
                default -> 3 * ("kMGTPE".indexOf(suffix) + 1);
            });
        }
        return new BigDecimal(matcher.group(1)).multiply(factor).toBigInteger();
    }
}

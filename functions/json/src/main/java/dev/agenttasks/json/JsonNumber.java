package dev.agenttasks.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A JSON number. An integer is held as the smallest of {@link Integer}, {@link Long} and {@link BigInteger} that fits
 * it; a number with a fraction or an exponent ({@code 1.5}, {@code 1e3}, even {@code 1.0}) is not an integer and is
 * held as a {@link Double} or, read with {@link JsonReader#exactDecimals()}, as a {@link BigDecimal} without trailing
 * zeros ({@code 1.50} is 1.5, {@code 100.0} is 1E+2, every zero is 0).
 *
 * <p>The conversions are Java's own for the held type: {@link #intValue()} of a {@code long} or a {@link BigInteger}
 * keeps the low bits, of a {@code double} saturates, of a {@link BigDecimal} drops the fraction.
 */
public record JsonNumber(Number value) implements JsonValue {

    public JsonNumber {
        Objects.requireNonNull(value, "value");
        if (value instanceof Long || value instanceof BigInteger) {
            value = smallest(value);
        } else if (!(value instanceof Integer || value instanceof Double || value instanceof BigDecimal)) {
            throw new IllegalArgumentException("a JSON number is an Integer, Long, BigInteger, Double or BigDecimal, not "
                    + value.getClass().getName());
        }
    }

    @Override
    public Type type() {
        return Type.NUMBER;
    }

    /** Written without a fraction or an exponent. */
    public boolean isIntegral() {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    /** An integer from {@link Integer#MIN_VALUE} to {@link Integer#MAX_VALUE}. */
    public boolean fitsInt() {
        return value instanceof Integer;
    }

    /** An integer from {@link Long#MIN_VALUE} to {@link Long#MAX_VALUE}. */
    public boolean fitsLong() {
        return value instanceof Integer || value instanceof Long;
    }

    public int intValue() {
        return value.intValue();
    }

    public long longValue() {
        return value.longValue();
    }

    public double doubleValue() {
        return value.doubleValue();
    }

    /** The value as a {@link BigDecimal}; a {@code double} as {@link BigDecimal#valueOf(double)} gives it. */
    public BigDecimal decimalValue() {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(value.longValue());
    }

    /** The number's text: an integer's digits, {@link Double#toString(double)}, or {@link BigDecimal#toString()}. */
    @Override
    public String asText() {
        return value.toString();
    }

    @Override
    public long asLong(long fallback) {
        return longValue();
    }

    @Override
    public int asInt(int fallback) {
        return intValue();
    }

    @Override
    public String toString() {
        return JsonWriter.compact().write(this);
    }

    private static Number smallest(Number integer) {
        BigInteger big = integer instanceof BigInteger b ? b : BigInteger.valueOf(integer.longValue());
        if (big.bitLength() < 32) {
            return big.intValue();
        }
        return big.bitLength() < 64 ? (Number) big.longValue() : big;
    }
}

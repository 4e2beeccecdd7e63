package dev.agenttasks.lambda.logging;

/** The layouts' timestamps, written without java.time's formatters (their start-up is not free). */
final class Timestamps {

    private Timestamps() {
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'} in UTC. */
    static void appendUtc(StringBuilder out, long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
        // the proleptic Gregorian date of a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        pad(out, year, 4).append('-');
        pad(out, month, 2).append('-');
        pad(out, day, 2).append('T');
        appendTimeOfDay(out, millisOfDay);
        out.append('Z');
    }

    /** {@code HH:mm:ss.SSS}. */
    static void appendTimeOfDay(StringBuilder out, int millisOfDay) {
        pad(out, millisOfDay / 3_600_000, 2).append(':');
        pad(out, millisOfDay / 60_000 % 60, 2).append(':');
        pad(out, millisOfDay / 1_000 % 60, 2).append('.');
        pad(out, millisOfDay % 1_000, 3);
    }

    private static StringBuilder pad(StringBuilder out, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}

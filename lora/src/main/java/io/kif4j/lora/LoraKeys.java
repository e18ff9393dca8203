package io.kif4j.lora;

/**
 * The names a LoRA adapter's parts go by, in one place: the A / B variable suffixes of a module path (PEFT's
 * {@code <path>.lora_A.weight}), and the skill-unit ids ({@code <path>.lora_A.weight} for a whole matrix,
 * {@code <path>|||i} for rank-one unit i).
 */
public final class LoraKeys {

    /** The suffix of a module's A matrix [r, in]. */
    public static final String A = ".lora_A.weight";
    /** The suffix of a module's B matrix [out, r]. */
    public static final String B = ".lora_B.weight";
    /** Between a module path and a rank-one unit's index. */
    public static final String RANK_ONE = "|||";

    private LoraKeys() {
    }

    public static String a(String modulePath) {
        return modulePath + A;
    }

    public static String b(String modulePath) {
        return modulePath + B;
    }

    /** The id of rank-one unit {@code i} of a module. */
    public static String rankOne(String modulePath, int i) {
        return modulePath + RANK_ONE + i;
    }

    public static boolean isA(String name) {
        return name.endsWith(A);
    }

    public static boolean isB(String name) {
        return name.endsWith(B);
    }

    /** The module path of an A or B name: the name without its suffix (both suffixes have one length). */
    public static String moduleOfMatrix(String name) {
        return name.substring(0, name.length() - A.length());
    }

    /** The module path of an A / B name, or of a rank-one unit id; any other name is its own module. */
    public static String moduleOf(String unit) {
        int bar = unit.indexOf(RANK_ONE);
        if (bar >= 0) {
            return unit.substring(0, bar);
        }
        return isA(unit) || isB(unit) ? moduleOfMatrix(unit) : unit;
    }
}

package io.kif4j.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for the kill-and-resume tests: with {@code KIF_CRASH_AT=kind:n} (or {@code -Dkif.crash.at}),
 * the process halts at once, as under kill -9 (no shutdown hooks, no flushing), the n-th time it passes a point of
 * that kind: {@code train-step} (after an optimizer step), {@code eval} (after an evaluation batch), {@code write}
 * (an atomic write with its temp file written but not yet renamed). Off unless the variable is set.
 */
public final class CrashPoints {

    private static final String SPEC = spec();
    private static final ConcurrentHashMap<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();

    private CrashPoints() {
    }

    private static String spec() {
        String s = System.getProperty("kif.crash.at");
        return s != null ? s : System.getenv("KIF_CRASH_AT");
    }

    public static void pass(String kind) {
        if (SPEC == null) {
            return;
        }
        int n = COUNTS.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        if (SPEC.equals(kind + ":" + n)) {
            Runtime.getRuntime().halt(137);
        }
    }
}

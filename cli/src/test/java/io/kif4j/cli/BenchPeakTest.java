package io.kif4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arithmetic behind {@code kif bench}'s peak figures (no timing measured or asserted). */
class BenchPeakTest {

    @Test
    void aStepBelowTheSgemmIsItsShare() {
        assertVerdict(60, 150, 150, 40, false);
    }

    @Test
    void aStepFasterThanEverySgemmIsTheFlaggedPeakAndNeverAbove100Percent() {
        assertVerdict(121, 103, 121, 100, true);
    }

    /** The verdict on a step of {@code achieved} GFLOP/s against an sgemm of {@code sgemm}. */
    private static void assertVerdict(double achieved, double sgemm, double peak, double percent, boolean underMeasured) {
        BenchPeak.Verdict v = BenchPeak.Verdict.of(achieved, sgemm);
        assertEquals(peak, v.peakGflops(), 1e-9);
        assertEquals(percent, v.percent(), 1e-9);
        assertEquals(underMeasured, v.underMeasured());
    }

    private static final String EPYC = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            model name\t: AMD EPYC
            cpu MHz\t\t: 2596.156
            flags\t\t: fpu vme sse sse2 fma avx avx2 bmi2
            
            processor\t: 1
            vendor_id\t: AuthenticAMD
            cpu MHz\t\t: 2596.156
            flags\t\t: fpu vme sse sse2 fma avx avx2 bmi2
            """;

    @Test
    void theTheoreticalPeakIsCoresTimesClockTimesFlopsPerCycle() {
        BenchPeak.Theoretical t = BenchPeak.Theoretical.parse(EPYC);
        assertEquals(2, t.cores());
        assertEquals(32, t.flopsPerCycle());
        assertEquals(2 * 2596.156 * 32 / 1000, t.gflops(), 1e-9);
        assertTrue(t.method().contains("2 cores") && t.method().contains("avx2+fma"), t.method());
    }

    @Test
    void avx512DoublesTheLanes() {
        BenchPeak.Theoretical t = BenchPeak.Theoretical.parse(EPYC.replace("avx2 bmi2", "avx2 avx512f bmi2"));
        assertEquals(64, t.flopsPerCycle());
    }

    @Test
    void avxWithoutFmaAndPlainSseHaveFewerFlops() {
        assertEquals(16, BenchPeak.Theoretical.parse(EPYC.replace("fma avx avx2", "avx")).flopsPerCycle());
        assertEquals(8, BenchPeak.Theoretical.parse(EPYC.replace("fma avx avx2", "")).flopsPerCycle());
    }

    @Test
    void noClockMeansNoTheoreticalPeak() {
        assertNull(BenchPeak.Theoretical.parse("processor\t: 0\nflags\t\t: avx2 fma\n"));
        assertNull(BenchPeak.Theoretical.parse(""));
    }
}

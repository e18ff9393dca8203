package io.kif4j.cli;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The peak {@code kif bench} compares a step's arithmetic rate with: measured sgemm rates (2048³ and the step's own
 * dominant matmul shapes, best of several runs each), never below the step's own rate, and beside it the machine's
 * theoretical FP32 peak read from /proc/cpuinfo. A single 2048³ sgemm at start-up read lower than the T5-large step
 * itself (119 % "of peak"), hence the several shapes and runs, and the rule that a step faster than every sgemm
 * makes the peak its own rate and says so.
 */
final class BenchPeak {

    private BenchPeak() {
    }

    /** A matrix product [m, k] × [k, n]. */
    record Shape(long m, long k, long n) {
        double flops() {
            return 2.0 * m * k * n;
        }

        @Override
        public String toString() {
            return m + "x" + k + "x" + n;
        }
    }

    /** The measured sgemm rates by shape, and the best of them. */
    record Measured(Map<Shape, Double> gflopsByShape) {
        double best() {
            return gflopsByShape.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    /**
     * A step's rate against the measured peak: the peak is the best sgemm, or the step's own rate when that is
     * higher (the sgemm was then under-measured, and {@code underMeasured} says so); the percentage never exceeds
     * 100.
     */
    record Verdict(double peakGflops, double percent, boolean underMeasured) {
        static Verdict of(double achievedGflops, double bestSgemmGflops) {
            boolean under = achievedGflops > bestSgemmGflops;
            double peak = under ? achievedGflops : bestSgemmGflops;
            return new Verdict(peak, 100 * achievedGflops / peak, under);
        }
    }

    /**
     * The theoretical single-precision peak: cores × clock × FLOP per cycle per core.
     *
     * @param flopsPerCycle per core: FMA units × SIMD lanes × 2 (an FMA is two operations)
     */
    record Theoretical(int cores, double mhz, int flopsPerCycle, String assumption) {
        double gflops() {
            return cores * mhz * flopsPerCycle / 1000.0;
        }

        String method() {
            return String.format(Locale.ROOT, "%d cores x %.0f MHz (/proc/cpuinfo 'cpu MHz', no turbo) x %d FLOP/cycle (%s)",
                    cores, mhz, flopsPerCycle, assumption);
        }

        /**
         * From the text of /proc/cpuinfo: cores = the "processor" entries, clock = the first "cpu MHz", FLOP per
         * cycle from the widest SIMD flag, assuming two FMA units per core (Haswell and later, Zen 2 and later; some
         * AVX-512 parts have one, older or smaller cores may have fewer). Null when the text has no processor or no
         * clock.
         */
        static Theoretical parse(String cpuinfo) {
            int cores = 0;
            double mhz = Double.NaN;
            String flags = "";
            for (String line : cpuinfo.split("\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "processor" -> cores++;
                    case "cpu MHz" -> {
                        if (Double.isNaN(mhz)) {
                            mhz = Double.parseDouble(value);
                        }
                    }
                    case "flags" -> {
                        if (flags.isEmpty()) {
                            flags = " " + value + " ";
                        }
                    }
                    default -> {
                    }
                }
            }
            if (cores == 0 || Double.isNaN(mhz)) {
                return null;
            }
            if (flags.contains(" avx512f ")) {
                return new Theoretical(cores, mhz, 64, "avx512f: 2 FMA units x 16 lanes x 2, assumed");
            }
            if (flags.contains(" avx2 ") && flags.contains(" fma ")) {
                return new Theoretical(cores, mhz, 32, "avx2+fma: 2 FMA units x 8 lanes x 2, assumed");
            }
            if (flags.contains(" avx ")) {
                return new Theoretical(cores, mhz, 16, "avx without fma: 1 add + 1 multiply unit x 8 lanes, assumed");
            }
            return new Theoretical(cores, mhz, 8, "sse: 1 add + 1 multiply unit x 4 lanes, assumed");
        }

        /** This machine's, or null off Linux. */
        static Theoretical ofThisMachine() {
            try {
                return parse(Files.readString(Path.of("/proc/cpuinfo")));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** 2048³ and the given shapes (duplicates dropped), each the best of {@code runs} after one warm-up. */
    static Measured measure(List<Shape> stepShapes, int runs) {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Shape(2048, 2048, 2048));
        for (Shape s : stepShapes) {
            if (!shapes.contains(s)) {
                shapes.add(s);
            }
        }
        Map<Shape, Double> out = new LinkedHashMap<>();
        for (Shape s : shapes) {
            out.put(s, bestGflops(s, runs));
        }
        return new Measured(out);
    }

    private static double bestGflops(Shape s, int runs) {
        try (INDArray a = Nd4j.rand(DataType.FLOAT, s.m(), s.k());
             INDArray b = Nd4j.rand(DataType.FLOAT, s.k(), s.n());
             INDArray c = Nd4j.create(DataType.FLOAT, s.m(), s.n())) {
            double best = Double.MAX_VALUE;
            for (int i = 0; i <= runs; i++) {
                long t = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                double secs = (System.nanoTime() - t) / 1e9;
                if (i > 0) {
                    best = Math.min(best, secs);
                }
            }
            return s.flops() / best / 1e9;
        }
    }
}

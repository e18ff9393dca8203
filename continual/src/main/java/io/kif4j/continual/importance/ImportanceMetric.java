package io.kif4j.continual.importance;

import io.kif4j.continual.tensors.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Locale;

/**
 * Per-parameter importance I(w) from a weight and its gradient (spec §3.1, Eq. 7–9), element-wise.
 * <ul>
 *   <li>{@link #FIRST_ORDER}: |w·g| (KIF, Eq. 8; TaSL {@code taylor="param_first"})</li>
 *   <li>{@link #FISHER}: |w·g − ½(w·g)²| (KIFLoRA, Eq. 9; {@code "param_mix"})</li>
 *   <li>{@link #SECOND_ORDER}: |(w·g)²| ({@code "param_second"}, unused by the papers)</li>
 * </ul>
 * {@link #at} is the one definition of each metric; {@link #element} applies it to whole tensors.
 */
public interface ImportanceMetric {

    /** I for one element with weight {@code w} and gradient {@code g}. */
    double at(double w, double g);

    /** The name {@link #byName} accepts. */
    String name();

    /** I(w) for every element of {@code w} with gradient {@code g}, as a new float array; inputs untouched. */
    default INDArray element(INDArray w, INDArray g) {
        if (!Arrays.equals(w.shape(), g.shape())) {
            throw new IllegalArgumentException("weight " + Arrays.toString(w.shape()) + " and gradient "
                    + Arrays.toString(g.shape()) + " differ in shape");
        }
        float[] wv = HostArrays.read(w, null);
        float[] gv = HostArrays.read(g, null);
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (float) at(wv[i], gv[i]);
        }
        return HostArrays.create(wv, w.shape());
    }

    /** Eq. 8: |w·g|. */
    ImportanceMetric FIRST_ORDER = new Named("first") {
        @Override
        public double at(double w, double g) {
            return Math.abs(w * g);
        }
    };

    /** Eq. 9: |w·g − ½(w·g)²|, the empirical-Fisher stand-in for the Hessian diagonal. */
    ImportanceMetric FISHER = new Named("fisher") {
        @Override
        public double at(double w, double g) {
            double x = w * g;
            return Math.abs(x - 0.5 * x * x);
        }
    };

    /** |(w·g)²|. */
    ImportanceMetric SECOND_ORDER = new Named("second") {
        @Override
        public double at(double w, double g) {
            double x = w * g;
            return x * x;
        }
    };

    /** "first", "fisher" or "second" (case-insensitive). */
    static ImportanceMetric byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "first" -> FIRST_ORDER;
            case "fisher" -> FISHER;
            case "second" -> SECOND_ORDER;
            default -> throw new IllegalArgumentException("unknown importance metric '" + name
                    + "' (expected first, fisher or second)");
        };
    }

    /** Base of the built-in metrics: the name is also the string form. */
    abstract class Named implements ImportanceMetric {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}

package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A model's cached graphs for its current adapter and trainable base weights: the full-sequence graph (training,
 * scoring) and the one-token decoding step. Each is built when first needed. A new adapter of the same
 * {@link LinearAdapter#layout layout} as a graph's keeps that graph (unless its loss was extended since), which
 * takes the new adapter's arrays; any other adapter, or new trainable weights, drops both.
 */
public final class ModelGraphs {

    /** Builds a model's full-sequence graph. */
    @FunctionalInterface
    public interface FullBuilder {
        SameDiff build(LinearAdapter adapter, Predicate<String> trainable);
    }

    /**
     * A built graph, its adapter's layout right after the build (null: never kept) and its loss variables then: a
     * graph whose loss a trainer has since extended with its own terms is not kept for another adapter or mode.
     */
    private record Built(SameDiff sd, LinearAdapter.Layout layout, List<String> loss) {

        static Built of(SameDiff sd, LinearAdapter adapter) {
            return new Built(sd, adapter.layout(), List.copyOf(sd.getLossVariables()));
        }

        boolean fits(LinearAdapter.Layout next) {
            return next != null && next.equals(layout) && loss.equals(sd.getLossVariables());
        }
    }

    private final FullBuilder fullBuilder;
    private final Function<LinearAdapter, SameDiff> stepBuilder;
    private LinearAdapter adapter = LinearAdapter.NONE;
    private Predicate<String> trainable = Graph.FROZEN;
    private Built full;
    private Built step;
    /** Graphs built so far, for tests of when they are rebuilt. */
    int builds;

    /**
     * @param full the full-sequence graph of an adapter and trainable weights
     * @param step the decoding-step graph of an adapter (its base weights never train)
     */
    public ModelGraphs(FullBuilder full, Function<LinearAdapter, SameDiff> step) {
        this.fullBuilder = full;
        this.stepBuilder = step;
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    /** Attaches {@code next}: graphs built for its layout are kept (with its arrays bound), the others dropped. */
    public void setAdapter(LinearAdapter next) {
        LinearAdapter.Layout layout = next.layout();
        full = kept(full, next, layout);
        step = kept(step, next, layout);
        adapter = next;
    }

    public Predicate<String> trainable() {
        return trainable;
    }

    /** Sets the trainable base weights and drops both graphs (also to rebuild after base weights changed). */
    public void setTrainable(Predicate<String> trainable) {
        this.trainable = trainable;
        rebuild();
    }

    /** Drops both graphs: the next use builds them afresh (e.g. a trainer extends a clean graph's loss). */
    public void rebuild() {
        full = null;
        step = null;
    }

    public SameDiff full() {
        if (full == null) {
            full = Built.of(fullBuilder.build(adapter, trainable), adapter);
            builds++;
        }
        return full.sd();
    }

    public SameDiff step() {
        if (step == null) {
            step = Built.of(stepBuilder.apply(adapter), adapter);
            builds++;
        }
        return step.sd();
    }

    private Built kept(Built graph, LinearAdapter next, LinearAdapter.Layout layout) {
        if (graph == null || !graph.fits(layout)) {
            return null;
        }
        if (next != adapter) {
            next.rebind((name, array) -> bind(graph.sd(), name, array));
        }
        return graph;
    }

    /**
     * Puts {@code array} itself behind variable {@code name} of a kept graph, so an optimizer's in-place steps on it
     * are what the graph computes with. Two SameDiff pitfalls (SameDiffQuirksTest): setting the array of an existing
     * variable stores a copy, so the holder's entry is replaced instead; and the gradient function holds its own
     * entry, replaced likewise.
     */
    static boolean bind(SameDiff sd, String name, INDArray array) {
        if (!sd.hasVariable(name)) {
            return false;
        }
        replace(sd, name, array);
        SameDiff grad = sd.getFunction("grad");
        if (grad != null && grad.hasVariable(name)) {
            replace(grad, name, array);
        }
        return true;
    }

    private static void replace(SameDiff sd, String name, INDArray array) {
        sd.getVariablesArrays().removeArray(name);
        sd.getVariablesArrays().setArray(name, array);
    }
}

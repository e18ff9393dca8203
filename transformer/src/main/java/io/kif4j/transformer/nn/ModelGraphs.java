package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SameDiff;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A model's cached graphs for its current adapter and trainable base weights: the full-sequence graph (training,
 * scoring) and the one-token decoding step. Each is built when first needed and dropped when either changes; the
 * LLaMA and T5 models keep theirs here.
 */
public final class ModelGraphs {

    /** Builds a model's full-sequence graph. */
    @FunctionalInterface
    public interface FullBuilder {
        SameDiff build(LinearAdapter adapter, Predicate<String> trainable);
    }

    private final FullBuilder fullBuilder;
    private final Function<LinearAdapter, SameDiff> stepBuilder;
    private LinearAdapter adapter = LinearAdapter.NONE;
    private Predicate<String> trainable = Graph.FROZEN;
    private SameDiff full;
    private SameDiff step;

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

    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
        reset();
    }

    public Predicate<String> trainable() {
        return trainable;
    }

    public void setTrainable(Predicate<String> trainable) {
        this.trainable = trainable;
        reset();
    }

    public SameDiff full() {
        if (full == null) {
            full = fullBuilder.build(adapter, trainable);
        }
        return full;
    }

    public SameDiff step() {
        if (step == null) {
            step = stepBuilder.apply(adapter);
        }
        return step;
    }

    private void reset() {
        full = null;
        step = null;
    }
}

package io.kif4j.transformer;

import io.kif4j.transformer.nn.GraphNames;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.ModelGraphs;
import io.kif4j.transformer.nn.NativeMemory;
import io.kif4j.transformer.nn.Threads;
import io.kif4j.transformer.nn.WeightTable;
import io.kif4j.weights.WeightSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.function.Predicate;

/**
 * What the model families share: the base weights, the cached graphs with their adapter and trainable weights
 * ({@link ModelGraphs}), and scoring. A family gives its two graphs (full sequence, decoding step), its
 * placeholders and its generation.
 */
public abstract class GraphModel implements LanguageModel {

    protected final WeightTable weights;
    private final ModelGraphs graphs;

    protected GraphModel(WeightSource source) {
        this.weights = new WeightTable(source);
        this.graphs = new ModelGraphs(this::buildFull, this::buildStep);
    }

    /** The full-sequence graph (training, scoring, a decoding prefill) with these adapter and trainable weights. */
    protected abstract SameDiff buildFull(LinearAdapter adapter, Predicate<String> trainable);

    /** The decoding-step graph with this adapter (its base weights never train). */
    protected abstract SameDiff buildStep(LinearAdapter adapter);

    /** Builds the full graph now, which loads and checks every weight; a family's constructor ends with it. */
    protected final void loadWeights() {
        graphs.full();
        Threads.forModel(weights.taken().values().stream().mapToLong(INDArray::length).sum());
    }

    @Override
    public WeightTable weights() {
        return weights;
    }

    @Override
    public LinearAdapter adapter() {
        return graphs.adapter();
    }

    @Override
    public void setAdapter(LinearAdapter adapter) {
        graphs.setAdapter(adapter);
    }

    @Override
    public void setTrainableWeights(Predicate<String> trainable) {
        graphs.setTrainable(trainable);
    }

    @Override
    public Predicate<String> trainableWeights() {
        return graphs.trainable();
    }

    @Override
    public void rebuildGraphs() {
        graphs.rebuild();
    }

    @Override
    public SameDiff trainingGraph() {
        return graphs.full();
    }

    protected SameDiff stepGraph() {
        return graphs.step();
    }

    @Override
    public ScoreResult score(ModelInputs inputs) {
        Map<String, INDArray> ph = placeholders(inputs);
        NativeMemory.afterStep();
        if (inputs.labels() == null) {
            return new ScoreResult(trainingGraph().outputSingle(ph, GraphNames.LOGITS), Double.NaN);
        }
        Map<String, INDArray> out = trainingGraph().output(ph, GraphNames.LOGITS, GraphNames.LOSS);
        boolean anyLabel = ph.get(GraphNames.LABEL_WEIGHTS).sumNumber().doubleValue() > 0;
        return new ScoreResult(out.get(GraphNames.LOGITS), anyLabel ? out.get(GraphNames.LOSS).getDouble(0) : Double.NaN);
    }
}

package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sequential full fine-tuning (SeqFT), the papers' lower reference row: every base weight trains on each task in
 * turn, no adapter. The trained weights are the state carried to the next task, saved with each task so a run
 * resumes.
 */
public final class SeqFT implements ContinualMethod {

    static final String WEIGHTS = "weights.safetensors";

    private LanguageModel model;

    @Override
    public String name() {
        return "seqft";
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        model = ctx.model();
        LoraAdapter none = ctx.noAdapter();
        var r = ctx.trainAllWeights(ctx.train(), none);
        return TaskOutcome.of(none, r.stepLosses());
    }

    @Override
    public void saveState(Path dir) {
        saveWeights(model, dir);
    }

    @Override
    public void loadState(Path dir, int index, LanguageModel model) {
        this.model = model;
        loadWeights(model, dir);
    }

    /** The model's base weights after a task, by HF name. */
    static void saveWeights(LanguageModel model, Path dir) {
        Map<String, INDArray> w = new LinkedHashMap<>(model.weights().taken());
        SafetensorsWriter.write(dir.resolve(WEIGHTS), w);
    }

    static void loadWeights(LanguageModel model, Path dir) {
        SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS));
        model.weights().taken().forEach((name, w) -> w.assign(f.load(name)));
        model.setTrainableWeights(model.trainableWeights()); // rebuild the graphs: frozen norms hold scaled copies
    }
}

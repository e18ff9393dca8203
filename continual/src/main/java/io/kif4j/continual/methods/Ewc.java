package io.kif4j.continual.methods;

import io.kif4j.continual.ContinualMethod;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.TaskContext;
import io.kif4j.continual.TaskOutcome;
import io.kif4j.lora.AttachedAdapter;
import io.kif4j.lora.EwcPenalty;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.train.LossTerm;
import io.kif4j.lora.train.Progress;
import io.kif4j.lora.train.StepHook;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SeqLoRA plus EWC's quadratic penalty (spec §7): L = L_t + λ/2 Σ_{j<t} Σ_i F_{j,i} (θ_i − θ*_{j,i})², with the
 * diagonal empirical Fisher F_j estimated after task j as the mean of per-batch squared gradients of the task loss.
 * The sum over tasks is kept as three running tensors (ΣF, ΣFθ*, ΣFθ*²), so memory does not grow with tasks; the
 * online variant keeps γ·F + F_new around the last θ* instead.
 */
public final class Ewc implements ContinualMethod {

    private static final String STATE = "ewc_state.safetensors";

    private final double lambda;
    private final boolean online;
    private final double gamma;
    private final Map<String, INDArray> fisherSum = new LinkedHashMap<>();   // Σ_j F_j
    private final Map<String, INDArray> fisherTheta = new LinkedHashMap<>(); // Σ_j F_j θ*_j
    private final Map<String, INDArray> fisherTheta2 = new LinkedHashMap<>(); // Σ_j F_j θ*_j²

    /** EWC's λ, and the online variant's switch and decay γ. */
    public record Settings(double lambda, boolean online, double gamma) {
        public static Settings of(RunConfig c) {
            return new Settings(c.ewcLambda, c.ewcOnline, c.ewcGamma);
        }
    }

    public Ewc(RunConfig config) {
        this(Settings.of(config));
    }

    public Ewc(Settings settings) {
        this.lambda = settings.lambda();
        this.online = settings.online();
        this.gamma = settings.gamma();
    }

    @Override
    public String name() {
        return "ewc";
    }

    @Override
    public boolean usesReplay() {
        return false;
    }

    @Override
    public TaskOutcome learn(TaskContext ctx) {
        LoraAdapter adapter = ctx.start();
        var r = fisherSum.isEmpty()
                ? ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE)
                : ctx.trainOn(adapter, ctx.trainConfig(), StepHook.NONE, penalty());
        Map<String, INDArray> fisher = fisher(ctx, adapter, ctx.train().epoch(0));
        for (var e : fisher.entrySet()) {
            INDArray theta = adapter.array(e.getKey());
            INDArray f = e.getValue();
            if (online && fisherSum.containsKey(e.getKey())) {
                INDArray acc = fisherSum.get(e.getKey()).mul(gamma).addi(f);
                fisherSum.put(e.getKey(), acc);
                fisherTheta.put(e.getKey(), acc.mul(theta));
                fisherTheta2.put(e.getKey(), acc.mul(theta).muli(theta));
            } else {
                fisherSum.merge(e.getKey(), f.dup(), INDArray::addi);
                fisherTheta.merge(e.getKey(), f.mul(theta), INDArray::addi);
                fisherTheta2.merge(e.getKey(), f.mul(theta).muli(theta), INDArray::addi);
            }
        }
        return TaskOutcome.of(adapter, r.stepLosses());
    }

    /** The diagonal empirical Fisher: the mean over batches of the squared task-loss gradient. */
    static Map<String, INDArray> fisher(TaskContext ctx, LoraAdapter adapter, List<ModelInputs> batches) {
        AttachedAdapter theta = ctx.attach(adapter, AttachedAdapter.Mode.EVAL); // the gradient without dropout
        Map<String, INDArray> f = new LinkedHashMap<>();
        try (Progress bar = Progress.of("fisher", batches.size(), "batch")) {
            for (int i = 0; i < batches.size(); i++) {
                Lora.LossAndGradients lg = Lora.lossAndGradients(theta.model(), theta.adapter(), batches.get(i));
                lg.gradients().forEach((k, g) -> f.merge(k, g.mul(g), INDArray::addi));
                bar.examplesDone(i + 1);
            }
        }
        f.values().forEach(x -> x.divi(batches.size()));
        return f;
    }

    /** EWC's penalty over the tasks so far (spec §7), built in the graph by {@link EwcPenalty}. */
    LossTerm penalty() {
        return EwcPenalty.of(lambda, fisherSum, fisherTheta, fisherTheta2);
    }

    Map<String, INDArray> fisherSum() {
        return fisherSum;
    }

    @Override
    public void saveState(Path dir) {
        Map<String, INDArray> t = new LinkedHashMap<>();
        fisherSum.forEach((k, v) -> t.put("F." + k, v));
        fisherTheta.forEach((k, v) -> t.put("Ft." + k, v));
        fisherTheta2.forEach((k, v) -> t.put("Ftt." + k, v));
        SafetensorsWriter.write(dir.resolve(STATE), t);
    }

    @Override
    public void loadState(Path dir, int index) {
        SafetensorsFile f = SafetensorsFile.open(dir.resolve(STATE));
        for (String n : f.names()) {
            String key = n.substring(n.indexOf('.') + 1);
            (n.startsWith("F.") ? fisherSum : n.startsWith("Ft.") ? fisherTheta : fisherTheta2).put(key, f.load(n));
        }
    }
}

package io.kif4j.lora.train;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DL4J-style listener hook: what a listener sees per step and epoch, and the forwarding to SameDiff listeners. */
class TrainingListenerTest {

    @Test
    void listenersSeeEveryStepWithLossLearningRateAndGradientNormAndSameDiffListenersAreForwarded() {
        FixtureTraining t = FixtureTraining.llama();
        var f = t.fixture();
        LanguageModel model = t.model();
        LoraAdapter adapter = t.adapter();
        List<TrainingListener.Iteration> seen = new ArrayList<>();
        List<String> epochs = new ArrayList<>();
        List<String> sameDiff = new ArrayList<>();
        TrainConfig config = TrainConfig.defaults(2, 1e-2, 1);
        int batches = 2;
        String[] adapterVariable = {adapter.variableNames().get(0)};
        BaseListener recorder = new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
                assertTrue(sd.hasVariable(adapterVariable[0]), "the graph being trained");
                sameDiff.add("iter " + at.epoch() + "/" + at.iteration() + " " + loss.getLoss(SameDiffListeners.LOSS_NAME));
            }

            @Override
            public org.nd4j.autodiff.listeners.ListenerResponse epochEnd(SameDiff sd, At at, LossCurve curve, long ms) {
                sameDiff.add("epochEnd " + at.epoch() + " curve " + curve.getLossValues().length() + " " + (float) curve.lastMeanLoss().getLoss(SameDiffListeners.LOSS_NAME));
                return org.nd4j.autodiff.listeners.ListenerResponse.CONTINUE;
            }
        };
        LoraTrainer.Result r = new LoraTrainer(model, adapter, config)
                .withListener(new TrainingListener() {
                    @Override
                    public void iterationDone(Iteration it) {
                        seen.add(it);
                    }

                    @Override
                    public void onEpochStart(int epoch) {
                        epochs.add("start " + epoch);
                    }

                    @Override
                    public void onEpochEnd(int epoch, double meanLoss) {
                        epochs.add("end " + epoch + " " + meanLoss);
                    }
                })
                .withListener(new SameDiffListeners(model::trainingGraph, recorder))
                .train(epoch -> List.of(f.inputs().batch(), f.inputs().batch()), List.of(), StepHook.NONE);

        assertEquals(r.steps(), seen.size());
        assertEquals(batches * config.epochs(), r.steps());
        for (int i = 0; i < seen.size(); i++) {
            TrainingListener.Iteration it = seen.get(i);
            assertEquals(i + 1, it.step());
            assertEquals(r.steps(), it.totalSteps());
            assertEquals(i / batches, it.epoch());
            assertEquals(r.stepLosses().get(i), it.loss());
            assertEquals(config.lrAt(i, r.steps()), it.learningRate(), 1e-15);
            assertTrue(it.gradientNorm() > 0 && Double.isFinite(it.gradientNorm()), "norm " + it.gradientNorm());
            assertEquals(f.inputs().batch().inputIds().length, it.examples());
        }
        double mean0 = (r.stepLosses().get(0) + r.stepLosses().get(1)) / 2;
        double mean1 = (r.stepLosses().get(2) + r.stepLosses().get(3)) / 2;
        assertEquals(List.of("start 0", "end 0 " + mean0, "start 1", "end 1 " + mean1), epochs);
        assertEquals(List.of("iter 0/1 " + r.stepLosses().get(0), "iter 0/2 " + r.stepLosses().get(1),
                "epochEnd 0 curve 1 " + (float) mean0, "iter 1/3 " + r.stepLosses().get(2), "iter 1/4 " + r.stepLosses().get(3),
                "epochEnd 1 curve 2 " + (float) mean1), sameDiff);
    }

    @Test
    void withoutATerminalProgressIsPlainLinesNamingTaskStepLossAndRate() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Progress.task("dbpedia", () -> {
                try (Progress p = Progress.of("train", 4)) {
                    p.update(4, 1.5, 32);
                }
                return null;
            });
        } finally {
            System.setErr(original);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        // The test JVM has no console: plain lines, the last one on close.
        assertTrue(out.contains("kif: train dbpedia: step 4/4 (100%), loss 1.5000, ") && out.contains(" examples/s, took "), out);
        assertTrue(!out.contains("\r"), "no carriage returns in plain mode: " + out);
    }
}

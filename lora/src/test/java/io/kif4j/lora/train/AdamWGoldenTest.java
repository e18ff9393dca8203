package io.kif4j.lora.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten optimizer steps of the real trainer (AdamW with weight decay, 3 warm-up steps then linear decay, global-norm
 * clipping at 0.5, which clips every step) on the llama_gqa fixture's LoRA equal PyTorch's trajectory: per-step
 * losses and learning rates, and the final LoRA A/B, within 1e-5.
 *
 * <p>The expected numbers in {@code adamw-golden/llama_gqa.json} were made once with
 * {@code /usr/bin/python3 scripts/adamw_reference.py ../shared/fixtures/llama_gqa
 * lora/src/test/resources/adamw-golden/llama_gqa.json} (torch 1.13: torch.optim.AdamW, LambdaLR with HF's linear
 * schedule, clip_grad_norm_), whose plain-torch LLaMA + PEFT-LoRA forward first reproduces the fixture's losses.
 */
class AdamWGoldenTest {

    static final double TOL = 1e-5;

    @Test
    void tenStepsEqualPyTorchsAdamWTrajectory() throws IOException {
        JsonNode want;
        try (InputStream in = getClass().getResourceAsStream("/adamw-golden/llama_gqa.json")) {
            want = Json.MAPPER.readTree(in);
        }
        JsonNode s = want.get("settings");
        var f = Fixture.open(Fixture.shared().resolve("fixtures").resolve(want.get("fixture").asText()));
        LanguageModel model = Models.load(f.dir());
        LoraAdapter adapter = LoraAdapter.load(f.dir().resolve("lora"));
        Lora.attach(model, adapter);
        int steps = s.get("steps").asInt();
        TrainConfig config = new TrainConfig.Builder().epochs(steps).learningRate(s.get("lr").asDouble())
                .warmupSteps(s.get("warmup_steps").asInt()).weightDecay(s.get("weight_decay").asDouble())
                .maxGradNorm(s.get("max_grad_norm").asDouble())
                .betas(s.get("betas").get(0).asDouble(), s.get("betas").get(1).asDouble())
                .epsilon(s.get("eps").asDouble()).seed(1).build();
        List<Double> lrs = new ArrayList<>();
        LoraTrainer trainer = new LoraTrainer(model, adapter, config);
        LoraTrainer.Result r = trainer.train(epoch -> List.of(f.inputs().batch()), List.of(), StepHook.NONE,
                (step, lr) -> lrs.add(lr));

        assertEquals(steps, r.steps());
        double maxDev = 0;
        for (int i = 0; i < steps; i++) {
            assertEquals(want.get("lrs").get(i).asDouble(), lrs.get(i), 1e-12, "lr of step " + (i + 1));
            double dev = Math.abs(want.get("losses").get(i).asDouble() - r.stepLosses().get(i));
            assertTrue(dev <= TOL, "loss of step " + (i + 1) + ": " + r.stepLosses().get(i) + " vs PyTorch "
                    + want.get("losses").get(i).asDouble());
            maxDev = Math.max(maxDev, dev);
        }
        assertTrue(want.get("grad_norms_before_clipping").get(0).asDouble() > s.get("max_grad_norm").asDouble(),
                "the case exercises clipping");
        int checked = 0;
        for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) () -> want.get("final").fields()) {
            INDArray got = adapter.array(e.getKey());
            JsonNode values = e.getValue().get("values");
            assertEquals(values.size(), got.length(), e.getKey());
            INDArray flat = got.reshape(got.length());
            for (int i = 0; i < values.size(); i++) {
                double dev = Math.abs(values.get(i).asDouble() - flat.getDouble(i));
                assertTrue(dev <= TOL, e.getKey() + "[" + i + "]: " + flat.getDouble(i) + " vs PyTorch "
                        + values.get(i).asDouble());
                maxDev = Math.max(maxDev, dev);
            }
            checked++;
        }
        assertEquals(adapter.variableNames().size(), checked, "every LoRA matrix is compared");
        org.slf4j.LoggerFactory.getLogger(AdamWGoldenTest.class).info("max deviation from PyTorch: {}", maxDev);
        System.out.println("AdamWGoldenTest: max |kif4j - PyTorch| over losses and final LoRA = " + maxDev);
    }
}
